using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>Parameter counts and shapes of the workbook's models (docs/keras-semantics.md#model-summary).</summary>
[Collection("LayerNames")]
public class RecurrentSummaryTests
{
    private static Sequential Model(params Layer[] layers) => new(layers);

    [Theory]
    [InlineData("simple", 32, 32, 2_080)]
    [InlineData("simple", 1, 1, 3)]
    [InlineData("simple", 40, 32, 2_920)]
    [InlineData("simple", 64, 100, 10_560)]
    [InlineData("simple", 16, 32, 784)]
    [InlineData("lstm", 40, 32, 11_680)]
    [InlineData("lstm", 40, 40, 12_960)]
    [InlineData("lstm", 1, 1, 12)]
    [InlineData("lstm", 32, 32, 8_320)]
    [InlineData("lstm", 100, 50, 60_400)]
    [InlineData("gru", 32, 32, 6_240)]
    [InlineData("gru_after", 32, 32, 6_336)]
    public void Parameter_counts_follow_the_keras_formulas(string kind, int units, int features, long expected)
    {
        Layer layer = kind switch
        {
            "simple" => new SimpleRNN(units, inputShape: [null, features]),
            "lstm" => new LSTM(units, inputShape: [null, features]),
            "gru" => new GRU(units, inputShape: [null, features]),
            _ => new GRU(units, resetAfter: true, inputShape: [null, features]),
        };
        Model(layer).CountParams().Should().Be(expected);
    }

    [Fact]
    public void LSTM_40_on_32_features_has_the_keras_weight_shapes()
    {
        var lstm = new LSTM(40, returnSequences: true, inputShape: [null, 32]);
        var second = new LSTM(40);
        var model = Model(lstm, second);
        lstm.Kernel.Shape.Should().Equal(32, 160);
        lstm.RecurrentKernel.Shape.Should().Equal(40, 160);
        lstm.Bias!.Shape.Should().Equal(160);
        second.ParameterCount.Should().Be(12_960);
        model.CountParams().Should().Be(11_680 + 12_960);
        lstm.Parameters.Select(p => p.Name).Should().Equal("kernel", "recurrent_kernel", "bias");
    }

    [Fact]
    public void GRU_reset_after_bias_is_two_rows()
    {
        var gru = new GRU(32, resetAfter: true, inputShape: [null, 32]);
        Model(gru);
        gru.Bias!.Shape.Should().Equal(2, 96);
        var classic = new GRU(32, inputShape: [null, 32]);
        Model(classic);
        classic.Bias!.Shape.Should().Equal(96);
    }

    [Theory]
    [InlineData(10, false, "(None, 64)")]
    [InlineData(1000, false, "(None, 64)")]
    [InlineData(10, true, "(None, 10, 64)")]
    [InlineData(1000, true, "(None, 1000, 64)")]
    public void Exercise_23_has_21220_parameters_whatever_the_length(int steps, bool sequences, string shape)
    {
        var model = Model(
            new SimpleRNN(64, returnSequences: sequences, inputShape: [steps, 100]),
            new Dense(64),
            new Dense(100)
        );
        model.CountParams().Should().Be(21_220);
        model[0].ParameterCount.Should().Be(10_560);
        model[1].ParameterCount.Should().Be(4_160);
        model[2].ParameterCount.Should().Be(6_500);
        model[0].OutputShape!.ToString().Should().Be(shape);
    }

    [Fact]
    public void Four_stacked_sequence_layers_keep_the_time_axis_unknown()
    {
        var model = Model(
            new SimpleRNN(32, returnSequences: true, inputShape: [null, 32]),
            new SimpleRNN(32, returnSequences: true),
            new SimpleRNN(32, returnSequences: true),
            new SimpleRNN(32)
        );
        model
            .Layers.Select(l => l.OutputShape!.ToString())
            .Should()
            .Equal("(None, None, 32)", "(None, None, 32)", "(None, None, 32)", "(None, 32)");
        model.CountParams().Should().Be(4 * 2_080);
    }

    [Fact]
    public void Exercise_23_summary_matches_keras_to_the_character()
    {
        LayerNames.ClearSession();
        var model = Model(new SimpleRNN(64, inputShape: [10, 100]), new Dense(64), new Dense(100, "softmax"));
        string expected = string.Join(
            "\n",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "simple_rnn_1 (SimpleRNN)     (None, 64)                10560     ",
            "_________________________________________________________________",
            "dense_1 (Dense)              (None, 64)                4160      ",
            "_________________________________________________________________",
            "dense_2 (Dense)              (None, 100)               6500      ",
            "=================================================================",
            "Total params: 21,220",
            "Trainable params: 21,220",
            "Non-trainable params: 0",
            "_________________________________________________________________",
            ""
        );
        model.Summary().ToString().Should().Be(expected);
    }

    [Fact]
    public void Sequence_model_of_notebook_04_summary_matches_keras_to_the_character()
    {
        LayerNames.ClearSession();
        var model = Model(
            new SimpleRNN(50, returnSequences: true, inputShape: [400, 300]),
            new Bidirectional(new LSTM(64, returnSequences: true)),
            new GRU(8)
        );
        string expected = string.Join(
            "\n",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "simple_rnn_1 (SimpleRNN)     (None, 400, 50)           17550     ",
            "_________________________________________________________________",
            "bidirectional_1 (Bidirection (None, 400, 128)          58880     ",
            "_________________________________________________________________",
            "gru_1 (GRU)                  (None, 8)                 3288      ",
            "=================================================================",
            "Total params: 79,718",
            "Trainable params: 79,718",
            "Non-trainable params: 0",
            "_________________________________________________________________",
            ""
        );
        model.Summary().ToString().Should().Be(expected);
        var bi = (Bidirectional)model[1];
        bi.ForwardLayer.Name.Should().Be("forward_lstm_1");
        bi.BackwardLayer.Name.Should().Be("backward_lstm_1");
        bi.ParameterCount.Should().Be(2 * 4 * 64 * (50 + 64 + 1));
        LayerNames.Next("LSTM").Should().Be("lstm_2", "the backward copy takes no name from the counter");
    }

    [Theory]
    [InlineData("concat", "(None, 128)")]
    [InlineData("sum", "(None, 64)")]
    [InlineData("ave", "(None, 64)")]
    [InlineData("mul", "(None, 64)")]
    public void Bidirectional_LSTM_64_on_50_features_has_58880_parameters(string mode, string shape)
    {
        var bi = new Bidirectional(new LSTM(64), mode, inputShape: [null, 50]);
        var model = Model(bi);
        model.CountParams().Should().Be(58_880);
        bi.OutputShape!.ToString().Should().Be(shape);
        model
            .GetWeights()
            .Select(w => Tensor.ShapeToString(w.Shape))
            .Should()
            .Equal("(50, 256)", "(64, 256)", "(256,)", "(50, 256)", "(64, 256)", "(256,)");
    }
}
