namespace RnnNotebooks.Data;

/// <summary>
/// One file of a dataset: where it lives under a data folder, and where and how to download it.
/// </summary>
/// <param name="RelativePath">Path under a data folder, with '/' separators (the layout of every data folder).</param>
/// <param name="Url">Official download address; null when the file cannot be downloaded automatically.</param>
/// <param name="Sha256">SHA-256 (lower-case hex) of the downloaded bytes; null when no official checksum is known.</param>
/// <param name="Size">Size in bytes of the download, when known.</param>
/// <param name="ZipMember">When set, the download is a zip archive and the file is this member of it.</param>
/// <param name="MemberSha256">SHA-256 of the extracted <paramref name="ZipMember"/>.</param>
public sealed record DatasetFile(
    string RelativePath,
    string? Url,
    string? Sha256,
    long? Size,
    string? ZipMember = null,
    string? MemberSha256 = null
);

/// <summary>A dataset the workbook uses: its files, origin and licence (data/manifest.json lists the same).</summary>
public sealed record DatasetInfo(
    string Id,
    string Title,
    string SourcePage,
    string Licence,
    IReadOnlyList<DatasetFile> Files,
    string Notes,
    string? ManualInstructions = null
);

/// <summary>
/// Every dataset the library can find or fetch. <see cref="DataCache"/> looks for each file under the override folder
/// (<c>RNN_NOTEBOOKS_DATA</c>), then the repo's <c>data/</c> folder, then downloads it from <see cref="DatasetFile.Url"/>.
/// </summary>
public static class DatasetCatalog
{
    private const string PacktCommit = "d9183b2a01fef044963e7ad967c6373b3887f0d1";
    private const string PacktRaw =
        "https://raw.githubusercontent.com/TrainingByPackt/Deep-Learning-for-Natural-Language-Processing/"
        + PacktCommit
        + "/Lesson%2005/papers/";

    /// <summary>The aclImdb tarball (Stanford's original; an extracted <c>aclImdb/</c> folder is accepted instead).</summary>
    public static DatasetFile AclImdbTarball { get; } =
        new(
            "aclImdb_v1.tar.gz",
            "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
            "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
            84125825
        );

    /// <summary>Name of an extracted aclImdb folder, accepted in place of the tarball.</summary>
    public const string AclImdbFolder = "aclImdb";

    /// <summary>Twitter US Airline Sentiment (Kaggle, login required: placed by hand).</summary>
    public static DatasetFile AirlineTweetsCsv { get; } =
        new("twitter_airline_sentiment/Tweets.csv", null, null, 3421431);

    /// <summary>NLTK's English stopwords, the member <c>stopwords/english</c> of nltk_data's stopwords.zip.</summary>
    public static DatasetFile NltkStopwordsEnglish { get; } =
        new(
            "nltk_stopwords/english",
            "https://raw.githubusercontent.com/nltk/nltk_data/4d5ecb6077471be3ac9747efcd59b85d6a8d835c/packages/corpora/stopwords.zip",
            "15c94179887425ca1bedc265608cab9f27d650211f709bb929e320990a4b01d1",
            34276,
            ZipMember: "stopwords/english",
            MemberSha256: "019f104ba2ed07436d05f9cdd3383034ad66014edc27fc651f837e1a038b6451"
        );

    /// <summary>The 37 Federalist papers of Packt's author-attribution activity, in folders A, B and Unknown.</summary>
    public static IReadOnlyList<DatasetFile> FederalistPaperFiles { get; } =
    [
        Paper("A/paper_1.txt", 9564, "35290a2631c8c945e12de28e25db9787d15caa0c17eafec6365241ff3ba3f74c"),
        Paper("A/paper_2.txt", 12524, "57b0f0ba2aefa00c1429f5c5c13e1e520778915da8850458164c9459bf15d453"),
        Paper("A/paper_3.txt", 14189, "96460724a521281a64a7385d8daeaa9818732e8619fd10df04962eda8bc28868"),
        Paper("A/paper_4.txt", 12608, "37e59e319c410fdc46e7d780c95ab05beff298e956b3568413f0f3d3b83f276c"),
        Paper("A/paper_5.txt", 12173, "0e3130364ecfcc2da68798d2d1148f816fa28f5fc87a69c5f4decfb8419bfed6"),
        Paper("A/paper_6.txt", 15136, "587f09887b5bef6ccb5c260367f9c99b6323a2012b97ee6cea4d76b7226d7fb7"),
        Paper("A/paper_7.txt", 13092, "650838e1462b94c1c572fdb29f74670b22107727fdf051916525e1f0204da24a"),
        Paper("A/paper_8.txt", 5891, "6c804addae108d63c45e966d26da8b71789e816e284e0c20a5b6c8878d6f8f47"),
        Paper("A/paper_9.txt", 18492, "3adf84482931e1d10549f55a84e43617ce91c9f801e3c8475db56c0abc37ca0f"),
        Paper("A/paper_10.txt", 12306, "6a24649365be52456c6ab766cb5e9e9947b715ca1283cc982921f82ab0f2bf19"),
        Paper("A/paper_11.txt", 12059, "df06b2109fd42d8a1fce84cd938d431689f2dcf8d9205c7042d461f757f7fb49"),
        Paper("A/paper_12.txt", 21345, "ad0d616054d0d76be90e2d5fbac7013a6f65aa401c0dddff6daf588ab15961a4"),
        Paper("A/paper_13.txt", 10943, "a4dab6a89b0e948e6a0195578dce6ec1959438ba929e302f2e927a4f29f7bc62"),
        Paper("A/paper_14.txt", 12060, "ddffde746755f2596d8092851df1ce0ca45a81aae545c6ae681ba3cf57e88a9d"),
        Paper("A/paper_15.txt", 11845, "fe10ff386860caa89ce2e5d9201635754c80490f3888212a3c4b1021b87c5120"),
        Paper("A/paper_16.txt", 14059, "6d636a95975155f5c6c7793938591cdc32af510de15a3914e380b98b344741bb"),
        Paper("A/paper_17.txt", 8860, "30d1a9d9c0ca13e64748e85a829dcc905befd9a06a86d910947514d6c0bc410d"),
        Paper("B/paper_1.txt", 18108, "8ca3682bdea41986a2371c046974b34a8152a72ba16a03462505a0204195942f"),
        Paper("B/paper_2.txt", 12870, "49f65780aeca698129a77436a09040ac31094774c8b5a451d674e1fdeffb77af"),
        Paper("B/paper_3.txt", 13184, "77871f306c37d300a7ea2308269c2a6990d76ea837831529d9908c8c9c26c303"),
        Paper("B/paper_4.txt", 12885, "084653899dc815bde322c2d59123d5c2bd2b28e6fde8e787b4c18e4b73b61845"),
        Paper("B/paper_5.txt", 9862, "c3b98d66427758d39236871dbfebd596caf7d5e1c82a062165ecc2cbcb04200e"),
        Paper("B/paper_6.txt", 16835, "8113c8fdbcdf7264bee7156068d875e434f43968075bae6c0ca17055025d8e1c"),
        Paper("B/paper_7.txt", 15698, "611f1b73c4ddd81c5c3a5c7f9db560c239ec0e364fbcc3a05b60668314cf72ab"),
        Paper("B/paper_8.txt", 18779, "4010f6e306eca69f9d5c62a07d75e3c2d9bd969503cd4c9352ab3ea14c378ed9"),
        Paper("B/paper_9.txt", 21508, "cfb6c14b5b90e000fb6d81d37d6919162ff71b959687e057ef6ab8a6e5532b60"),
        Paper("B/paper_10.txt", 17299, "c6ec179b3b6930cbcfd013a69b31c06f03c01b2fcf51510e27c8dea0333c694d"),
        Paper("B/paper_11.txt", 17861, "bc007fcf3b7591254a2a290b5ad4701c328896fbc4a36c033a0f9532864b1056"),
        Paper("B/paper_12.txt", 13247, "0c4ffd720ad2d40f32012599d8b8cd28ff80ed605dc31b0d588879a779eb67dc"),
        Paper("B/paper_13.txt", 16167, "16d447dd93466aade66131c4d82529c4677ea296a7e448d557d35ff04107d342"),
        Paper("B/paper_14.txt", 17397, "3f5596f108fc5cc3d237e36e21ae31883e00030455f99fc5039a64da0e2f3b65"),
        Paper("B/paper_15.txt", 11876, "11d241d4e02361ac35b66bf35b8e0caaf59e1d536d2c95fa9b785647027212bb"),
        Paper("Unknown/paper_1.txt", 21162, "0633c442a83e8a8ca6b5eb20bda43fcfa3f09ee595874cceddf2215abc27c491"),
        Paper("Unknown/paper_2.txt", 19716, "bc938941e6a41fa9f04078999555b4af3beeb2289c273f7769edc6bb87673a30"),
        Paper("Unknown/paper_3.txt", 13458, "e300ece246b9b91071552db0575d6cc547c68244d14a24f3c99df417640d1e34"),
        Paper("Unknown/paper_4.txt", 9847, "6f2ef960d5c16dfb4902d9171a365b4e95215ce115cd3f70afe9bedf355cbbad"),
        Paper("Unknown/paper_5.txt", 11825, "41043c1a6e0d9ecee8d6c8d76c855ae8c8811e406b8b638a78d969ea4f8c9276"),
    ];

    public static DatasetInfo AclImdb { get; } =
        new(
            "aclImdb",
            "Large Movie Review Dataset v1 (IMDB, Maas et al. 2011)",
            "http://ai.stanford.edu/~amaas/data/sentiment/",
            "No licence stated; the README asks users to cite Maas et al., ACL-HLT 2011 (P11-1015). Review texts from IMDb.",
            [AclImdbTarball],
            "50,000 labelled reviews (train/test x pos/neg, 12,500 each) and 50,000 unlabelled (train/unsup). "
                + "Accepted as the tarball or as an extracted aclImdb/ folder. A tarball placed in the override folder is "
                + "accepted when its structure is right, whatever its checksum (so a faithful rebuild of the archive works too)."
        );

    public static DatasetInfo AirlineTweets { get; } =
        new(
            "twitter_airline_sentiment",
            "Twitter US Airline Sentiment (CrowdFlower / Kaggle)",
            "https://www.kaggle.com/datasets/crowdflower/twitter-airline-sentiment",
            "CC BY-NC-SA 4.0 (as listed by Kaggle)",
            [AirlineTweetsCsv],
            "14,640 tweets: 9,178 negative, 3,099 neutral, 2,363 positive. Kaggle requires a login, so there is no direct "
                + "download; the official file's checksum is not published (the size given is that of Kaggle's Tweets.csv).",
            "Download the dataset from https://www.kaggle.com/datasets/crowdflower/twitter-airline-sentiment (free account), "
                + "unzip it, and put Tweets.csv at data/twitter_airline_sentiment/Tweets.csv in the repository "
                + "(or under the folder named by RNN_NOTEBOOKS_DATA)."
        );

    public static DatasetInfo AuthorAttribution { get; } =
        new(
            "author_attribution",
            "Federalist Papers for author attribution (Packt, Deep Learning for NLP, Lesson 05, Activity 6)",
            "https://github.com/TrainingByPackt/Deep-Learning-for-Natural-Language-Processing/tree/"
                + PacktCommit
                + "/Lesson%2005/papers",
            "Texts: public domain. Repository: MIT, Copyright (c) 2019 Training By Packt.",
            FederalistPaperFiles,
            "A = Hamilton (17 papers), B = Madison (15, three of them joint), Unknown (5). Each file still carries its byline; "
                + "the loader strips the header and byline."
        );

    public static DatasetInfo NltkStopwords { get; } =
        new(
            "nltk_stopwords",
            "NLTK English stopwords (179 words)",
            "https://github.com/nltk/nltk_data/blob/4d5ecb6077471be3ac9747efcd59b85d6a8d835c/packages/corpora/stopwords.zip",
            "No licence stated by nltk_data; the lists derive from Snowball's (BSD).",
            [NltkStopwordsEnglish],
            "The list is also compiled into the library, so it is never required. nltk_data pinned to the commit before the "
                + "2025 change to 198 words; checksum is of the zip, the member's checksum is checked after extraction."
        );

    public static DatasetInfo GoogleNewsWord2Vec { get; } =
        new(
            "word2vec_googlenews",
            "Pretrained word2vec, Google News, 300-d (3M words)",
            "https://code.google.com/archive/p/word2vec/",
            "Apache License 2.0 (word2vec project page)",
            [new("GoogleNews-vectors-negative300.bin.gz", null, null, null)],
            "Not downloadable automatically (hosted on Google Drive, no stable URL or published checksum). Notebook 04 trains "
                + "its own 300-d vectors on aclImdb when this file is absent.",
            "Download GoogleNews-vectors-negative300.bin.gz from the word2vec project page and put it in data/ "
                + "(WordVectors.LoadWord2VecBinary reads the .gz directly; pass limit: to read only the most frequent words)."
        );

    public static DatasetInfo GloVe6B { get; } =
        new(
            "glove_6B",
            "GloVe 6B (Wikipedia 2014 + Gigaword 5), 50/100/200/300-d",
            "https://nlp.stanford.edu/projects/glove/",
            "Public Domain Dedication and License v1.0 (ODC-PDDL)",
            [new("glove.6B.zip", null, null, null)],
            "822 MB zip from https://nlp.stanford.edu/data/glove.6B.zip; no official checksum is published, so it is not "
                + "downloaded automatically.",
            "Download https://nlp.stanford.edu/data/glove.6B.zip, and put glove.6B.zip (or an extracted glove.6B.300d.txt) in "
                + "data/. WordVectors.LoadGloVe reads a member of the zip directly."
        );

    /// <summary>All datasets, in the order of data/manifest.json.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } =
    [AclImdb, AirlineTweets, AuthorAttribution, NltkStopwords, GoogleNewsWord2Vec, GloVe6B];

    private static DatasetFile Paper(string path, long size, string sha256) =>
        new("author_attribution/papers/" + path, PacktRaw + path, sha256, size);
}
