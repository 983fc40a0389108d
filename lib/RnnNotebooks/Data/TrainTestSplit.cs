namespace RnnNotebooks.Data;

/// <summary>
/// A split size as sklearn takes it: a fraction of the samples (a double in (0, 1)) or an absolute count (an int).
/// Converts implicitly from both, so <c>testSize: 0.3</c> and <c>testSize: 100</c> both work.
/// </summary>
public readonly record struct SplitSize
{
    private SplitSize(double? fraction, int? count)
    {
        Fraction = fraction;
        Count = count;
    }

    /// <summary>Set when the size is a fraction.</summary>
    public double? Fraction { get; }

    /// <summary>Set when the size is a number of samples.</summary>
    public int? Count { get; }

    public static implicit operator SplitSize(double fraction) => new(fraction, null);

    public static implicit operator SplitSize(int count) => new(null, count);

    public override string ToString() =>
        Fraction?.ToString("R", System.Globalization.CultureInfo.InvariantCulture) ?? Count.ToString()!;
}

/// <summary>
/// sklearn's <c>train_test_split</c> (docs/keras-semantics.md#train-test-split): with an integer <c>randomState</c> the indices equal
/// sklearn's exactly — <c>perm = RandomState(randomState).permutation(n)</c>, test = perm[:nTest],
/// train = perm[nTest : nTest + nTrain] — with nTest = ⌈testSize·n⌉ for a fraction and nTrain = ⌊trainSize·n⌋.
/// </summary>
public static class TrainTestSplit
{
    /// <summary>sklearn's sizes: both null → test 0.25; one null → the complement of the other.</summary>
    public static (int Train, int Test) Sizes(int n, SplitSize? testSize = null, SplitSize? trainSize = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (testSize is null && trainSize is null)
            testSize = 0.25;
        Validate(n, testSize, nameof(testSize));
        Validate(n, trainSize, nameof(trainSize));
        if (testSize?.Fraction is double tf && trainSize?.Fraction is double rf && tf + rf > 1)
        {
            throw new ArgumentException(
                $"The sum of testSize and trainSize = {tf + rf}, should be in the (0, 1) range. Reduce testSize and/or trainSize."
            );
        }
        double nTest = testSize switch
        {
            { Fraction: double f } => Math.Ceiling(f * n),
            { Count: int c } => c,
            _ => double.NaN,
        };
        double nTrain = trainSize switch
        {
            { Fraction: double f } => Math.Floor(f * n),
            { Count: int c } => c,
            _ => double.NaN,
        };
        if (trainSize is null)
            nTrain = n - nTest;
        else if (testSize is null)
            nTest = n - nTrain;
        if (nTrain + nTest > n)
        {
            throw new ArgumentException(
                $"The sum of train and test sizes = {nTrain + nTest} should be smaller than the number of samples {n}. Reduce testSize and/or trainSize."
            );
        }
        if (nTrain == 0)
        {
            throw new ArgumentException(
                $"With n_samples={n}, test_size={testSize} and train_size={trainSize}, the resulting train set will be empty."
            );
        }
        return ((int)nTrain, (int)nTest);
    }

    /// <summary>The train and test indices for <paramref name="n"/> samples.</summary>
    /// <param name="n">Number of samples.</param>
    /// <param name="testSize">Fraction or count for the test set (see <see cref="Sizes"/>).</param>
    /// <param name="trainSize">Fraction or count for the train set.</param>
    /// <param name="randomState">numpy seed (0 ≤ seed &lt; 2³²); null draws a fresh seed, so the split changes every call (sklearn's global RNG).</param>
    /// <param name="shuffle">False: train = the first nTrain samples, test = the next nTest.</param>
    /// <param name="stratify">
    /// Class label per sample; each class gets its share of the test set. This is our own algorithm, not sklearn's
    /// StratifiedShuffleSplit (whose draws we do not reproduce): test quotas nTest·count/n, floored, with the
    /// remaining places going to the largest remainders (ties: smaller label first); train quotas the same way
    /// (the rest of each class when trainSize is null); then one walk over <c>RandomState(randomState).permutation(n)</c>
    /// fills the test quota of each sample's class first, then its train quota. Both index lists are in permutation order.
    /// </param>
    public static (int[] Train, int[] Test) Indices(
        int n,
        SplitSize? testSize = null,
        SplitSize? trainSize = null,
        long? randomState = null,
        bool shuffle = true,
        IReadOnlyList<int>? stratify = null
    )
    {
        var (nTrain, nTest) = Sizes(n, testSize, trainSize);
        if (!shuffle)
        {
            if (stratify is not null)
                throw new ArgumentException("Stratified train/test split is not implemented for shuffle=False.");
            return (Enumerable.Range(0, nTrain).ToArray(), Enumerable.Range(nTrain, nTest).ToArray());
        }
        var rng = new NumpyRandomState(randomState ?? (long)(Random.Shared.NextInt64() & uint.MaxValue));
        var permutation = rng.Permutation(n);
        if (stratify is null)
            return (permutation[nTest..(nTest + nTrain)], permutation[..nTest]);
        return Stratified(permutation, stratify, nTrain, nTest, trainSizeGiven: trainSize is not null);
    }

    /// <summary>Splits one list: sklearn's <c>x_train, x_test = train_test_split(x, …)</c>.</summary>
    public static (T[] Train, T[] Test) Split<T>(
        IReadOnlyList<T> items,
        SplitSize? testSize = null,
        SplitSize? trainSize = null,
        long? randomState = null,
        bool shuffle = true,
        IReadOnlyList<int>? stratify = null
    )
    {
        ArgumentNullException.ThrowIfNull(items);
        var (train, test) = Indices(items.Count, testSize, trainSize, randomState, shuffle, stratify);
        return (Take(items, train), Take(items, test));
    }

    /// <summary>Splits samples and labels together: sklearn's <c>X_train, X_test, y_train, y_test = train_test_split(X, y, …)</c>.</summary>
    public static (TX[] XTrain, TX[] XTest, TY[] YTrain, TY[] YTest) Split<TX, TY>(
        IReadOnlyList<TX> x,
        IReadOnlyList<TY> y,
        SplitSize? testSize = null,
        SplitSize? trainSize = null,
        long? randomState = null,
        bool shuffle = true,
        IReadOnlyList<int>? stratify = null
    )
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException(
                $"Found input variables with inconsistent numbers of samples: [{x.Count}, {y.Count}]."
            );
        var (train, test) = Indices(x.Count, testSize, trainSize, randomState, shuffle, stratify);
        return (Take(x, train), Take(x, test), Take(y, train), Take(y, test));
    }

    /// <summary>The rows <paramref name="rows"/> of a matrix (e.g. padded sequences), in that order.</summary>
    public static int[,] TakeRows(int[,] matrix, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(rows);
        int columns = matrix.GetLength(1);
        var result = new int[rows.Count, columns];
        for (int i = 0; i < rows.Count; i++)
        for (int j = 0; j < columns; j++)
            result[i, j] = matrix[rows[i], j];
        return result;
    }

    private static T[] Take<T>(IReadOnlyList<T> items, int[] indices)
    {
        var result = new T[indices.Length];
        for (int i = 0; i < indices.Length; i++)
            result[i] = items[indices[i]];
        return result;
    }

    private static void Validate(int n, SplitSize? size, string name)
    {
        if (size is not SplitSize s)
            return;
        if (s.Fraction is double f && (f <= 0 || f >= 1 || double.IsNaN(f)))
            throw new ArgumentOutOfRangeException(name, f, $"{name}={f} should be a float in the (0, 1) range.");
        if (s.Count is int c && (c <= 0 || c >= n))
        {
            throw new ArgumentOutOfRangeException(
                name,
                c,
                $"{name}={c} should be either positive and smaller than the number of samples {n} or a float in the (0, 1) range."
            );
        }
    }

    private static (int[] Train, int[] Test) Stratified(
        int[] permutation,
        IReadOnlyList<int> labels,
        int nTrain,
        int nTest,
        bool trainSizeGiven
    )
    {
        int n = permutation.Length;
        if (labels.Count != n)
            throw new ArgumentException($"stratify has {labels.Count} labels for {n} samples.", nameof(labels));
        var classes = labels.Distinct().Order().ToArray();
        var slot = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        var counts = new int[classes.Length];
        foreach (int label in labels)
            counts[slot[label]]++;
        var testQuota = Apportion(counts, nTest, n);
        var remaining = counts.Select((c, i) => c - testQuota[i]).ToArray();
        var trainQuota = trainSizeGiven ? Apportion(counts, nTrain, n) : remaining;
        for (int i = 0; i < classes.Length; i++)
            trainQuota[i] = Math.Min(trainQuota[i], remaining[i]);

        var train = new List<int>(nTrain);
        var test = new List<int>(nTest);
        foreach (int index in permutation)
        {
            int c = slot[labels[index]];
            if (testQuota[c] > 0)
            {
                testQuota[c]--;
                test.Add(index);
            }
            else if (trainQuota[c] > 0)
            {
                trainQuota[c]--;
                train.Add(index);
            }
        }
        return (train.ToArray(), test.ToArray());
    }

    /// <summary>Largest-remainder apportionment of <paramref name="total"/> places in proportion to <paramref name="counts"/>.</summary>
    private static int[] Apportion(int[] counts, int total, int n)
    {
        var quota = new int[counts.Length];
        var remainders = new double[counts.Length];
        int assigned = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            double exact = (double)total * counts[i] / n;
            quota[i] = (int)Math.Floor(exact);
            remainders[i] = exact - quota[i];
            assigned += quota[i];
        }
        foreach (int i in Enumerable.Range(0, counts.Length).OrderByDescending(i => remainders[i]))
        {
            if (assigned >= total)
                break;
            quota[i]++;
            assigned++;
        }
        return quota;
    }
}
