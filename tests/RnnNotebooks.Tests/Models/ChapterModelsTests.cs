using RnnNotebooks.Layers;
using RnnNotebooks.Models;

namespace RnnNotebooks.Tests.Models;

/// <summary>
/// The models the chapters print, with the parameter counts and output shapes the notebooks must
/// show (notebooks 03, 04, 05 and 08). The full texts are written from Keras 2.x's
/// layout (docs/keras-semantics.md#model-summary): columns stop at 29, 55 and 65, counts without separators in the
/// table and with them in the totals.
/// </summary>
[Collection("LayerNames")]
public class ChapterModelsTests
{
    private static string Text(params string[] lines) => string.Join("\n", lines) + "\n";

    private static long[] Counts(Sequential model) => model.Layers.Select(l => l.ParameterCount).ToArray();

    private static string[] Shapes(Sequential model) => model.Layers.Select(l => l.OutputShape!.ToString()).ToArray();

    [Fact]
    public void Embedding_and_SimpleRNN_of_notebook_05_print_as_in_keras()
    {
        LayerNames.ClearSession();
        var model = new Sequential(new Embedding(10000, 32), new SimpleRNN(32));

        model
            .Summary()
            .ToString()
            .Should()
            .Be(
                Text(
                    "_________________________________________________________________",
                    "Layer (type)                 Output Shape              Param #   ",
                    "=================================================================",
                    "embedding_1 (Embedding)      (None, None, 32)          320000    ",
                    "_________________________________________________________________",
                    "simple_rnn_1 (SimpleRNN)     (None, 32)                2080      ",
                    "=================================================================",
                    "Total params: 322,080",
                    "Trainable params: 322,080",
                    "Non-trainable params: 0",
                    "_________________________________________________________________"
                )
            );
    }

    [Fact]
    public void Return_sequences_keeps_the_unknown_time_axis()
    {
        LayerNames.ClearSession();
        var model = new Sequential(new Embedding(10000, 32), new SimpleRNN(32, returnSequences: true));
        Shapes(model).Should().Equal("(None, None, 32)", "(None, None, 32)");
        Counts(model).Should().Equal(320_000, 2_080);
        model.CountParams().Should().Be(322_080);
        model.Summary().Rows[1].Name.Should().Be("simple_rnn_1");
    }

    [Fact]
    public void Four_stacked_SimpleRNNs_after_an_embedding_have_328320_parameters()
    {
        LayerNames.ClearSession();
        var model = new Sequential(
            new Embedding(10000, 32),
            new SimpleRNN(32, returnSequences: true),
            new SimpleRNN(32, returnSequences: true),
            new SimpleRNN(32, returnSequences: true),
            new SimpleRNN(32)
        );
        Counts(model).Should().Equal(320_000, 2_080, 2_080, 2_080, 2_080);
        Shapes(model)
            .Should()
            .Equal("(None, None, 32)", "(None, None, 32)", "(None, None, 32)", "(None, None, 32)", "(None, 32)");
        var summary = model.Summary();
        summary.TotalParameters.Should().Be(328_320);
        summary
            .Rows.Select(r => r.Name)
            .Should()
            .Equal("embedding_1", "simple_rnn_1", "simple_rnn_2", "simple_rnn_3", "simple_rnn_4");
        summary.ToString().Should().Contain("\nTotal params: 328,320\n");
    }

    [Fact]
    public void Airline_SimpleRNN_of_notebook_03_prints_as_in_keras()
    {
        LayerNames.ClearSession();
        var model = new Sequential(
            new Embedding(12533, 32, inputLength: 26),
            new SimpleRNN(40),
            new Dense(2, "softmax")
        );

        model
            .Summary()
            .ToString()
            .Should()
            .Be(
                Text(
                    "_________________________________________________________________",
                    "Layer (type)                 Output Shape              Param #   ",
                    "=================================================================",
                    "embedding_1 (Embedding)      (None, 26, 32)            401056    ",
                    "_________________________________________________________________",
                    "simple_rnn_1 (SimpleRNN)     (None, 40)                2920      ",
                    "_________________________________________________________________",
                    "dense_1 (Dense)              (None, 2)                 82        ",
                    "=================================================================",
                    "Total params: 404,058",
                    "Trainable params: 404,058",
                    "Non-trainable params: 0",
                    "_________________________________________________________________"
                )
            );
    }

    [Fact]
    public void Word_vector_model_of_notebook_04_prints_as_in_keras()
    {
        LayerNames.ClearSession();
        var model = new Sequential(
            new SimpleRNN(50, returnSequences: true, inputShape: [400, 300]),
            new Dropout(0.2f),
            new Flatten(),
            new Dense(1, "sigmoid")
        );

        Counts(model).Should().Equal(17_550, 0, 0, 20_001);
        model
            .Summary()
            .ToString()
            .Should()
            .Be(
                Text(
                    "_________________________________________________________________",
                    "Layer (type)                 Output Shape              Param #   ",
                    "=================================================================",
                    "simple_rnn_1 (SimpleRNN)     (None, 400, 50)           17550     ",
                    "_________________________________________________________________",
                    "dropout_1 (Dropout)          (None, 400, 50)           0         ",
                    "_________________________________________________________________",
                    "flatten_1 (Flatten)          (None, 20000)             0         ",
                    "_________________________________________________________________",
                    "dense_1 (Dense)              (None, 1)                 20001     ",
                    "=================================================================",
                    "Total params: 37,551",
                    "Trainable params: 37,551",
                    "Non-trainable params: 0",
                    "_________________________________________________________________"
                )
            );
    }

    [Fact]
    public void Imdb_tokenizer_model_of_notebook_08_prints_as_in_keras()
    {
        LayerNames.ClearSession();
        var model = new Sequential(
            new Embedding(3800, 32, inputLength: 380),
            new Dropout(0.35f),
            new SimpleRNN(16),
            new Dense(256, "relu"),
            new Dropout(0.35f),
            new Dense(1, "sigmoid")
        );

        Counts(model).Should().Equal(121_600, 0, 784, 4_352, 0, 257);
        model
            .Summary()
            .ToString()
            .Should()
            .Be(
                Text(
                    "_________________________________________________________________",
                    "Layer (type)                 Output Shape              Param #   ",
                    "=================================================================",
                    "embedding_1 (Embedding)      (None, 380, 32)           121600    ",
                    "_________________________________________________________________",
                    "dropout_1 (Dropout)          (None, 380, 32)           0         ",
                    "_________________________________________________________________",
                    "simple_rnn_1 (SimpleRNN)     (None, 16)                784       ",
                    "_________________________________________________________________",
                    "dense_1 (Dense)              (None, 256)               4352      ",
                    "_________________________________________________________________",
                    "dropout_2 (Dropout)          (None, 256)               0         ",
                    "_________________________________________________________________",
                    "dense_2 (Dense)              (None, 1)                 257       ",
                    "=================================================================",
                    "Total params: 126,993",
                    "Trainable params: 126,993",
                    "Non-trainable params: 0",
                    "_________________________________________________________________"
                )
            );
    }

    [Fact]
    public void Keras_2_3_style_adds_the_model_name_line()
    {
        LayerNames.ClearSession();
        var model = new Sequential(new Embedding(10000, 32), new SimpleRNN(32));
        string text = model.Summary().ToText(SummaryStyle.Keras23);
        text.Should()
            .StartWith("Model: \"sequential_1\"\n_________________________________________________________________\n");
        text.Should().EndWith(model.Summary().ToText(SummaryStyle.Keras2));
    }
}
