using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// SimpleRNN, LSTM, GRU and Bidirectional configs (Keras' get_config keys) through JSON and back
/// through <see cref="LayerFactory"/>. Every sample sets options away from their defaults, so a key
/// that FromConfig ignored would come back with the default and change the JSON.
/// </summary>
public class RecurrentConfigTests
{
    private static Dictionary<string, object?> ThroughJson(IReadOnlyDictionary<string, object?> value) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(value))!;

    /// <summary>The layer rebuilt from its JSON config; its own config serialises to the same JSON.</summary>
    private static T RoundTrip<T>(T layer)
        where T : Layer
    {
        string json = JsonSerializer.Serialize(LayerFactory.ToEntry(layer));
        var rebuilt = LayerFactory.FromEntry(ThroughJson(LayerFactory.ToEntry(layer)));
        rebuilt.Should().NotBeSameAs(layer).And.BeOfType<T>();
        rebuilt.Name.Should().Be(layer.Name);
        JsonSerializer.Serialize(LayerFactory.ToEntry(rebuilt)).Should().Be(json);
        return (T)rebuilt;
    }

    private static string ConfigJson(Layer layer, string key) => JsonSerializer.Serialize(layer.GetConfig()[key]);

    [Fact]
    public void SimpleRNN_keeps_every_option()
    {
        var rnn = RoundTrip(
            new SimpleRNN(
                7,
                activation: "relu",
                useBias: false,
                kernelInitializer: "uniform",
                recurrentInitializer: "glorot_uniform",
                biasInitializer: "ones",
                dropout: 0.25f,
                recurrentDropout: 0.1f,
                returnSequences: true,
                returnState: true,
                goBackwards: true,
                name: "rnn",
                inputShape: [null, 3]
            )
        );
        (rnn.Units, rnn.Activation, rnn.UseBias).Should().Be((7, ActivationKind.Relu, false));
        (rnn.KernelInitializer.Name, rnn.RecurrentInitializer.Name, rnn.BiasInitializer.Name)
            .Should()
            .Be(("uniform", "glorot_uniform", "ones"));
        (rnn.Dropout, rnn.RecurrentDropout).Should().Be((0.25f, 0.1f));
        (rnn.ReturnSequences, rnn.ReturnState, rnn.GoBackwards, rnn.Stateful).Should().Be((true, true, true, false));
        rnn.DeclaredInputShape.Should().Equal(null, 3);
        rnn.DeclaredBatchSize.Should().BeNull();
    }

    [Fact]
    public void A_stateful_layer_keeps_its_batch_size_in_batch_input_shape()
    {
        var rnn = RoundTrip(new SimpleRNN(4, stateful: true, name: "carry", inputShape: [5, 3], batchSize: 2));
        ConfigJson(rnn, "batch_input_shape").Should().Be("[2,5,3]");
        rnn.Stateful.Should().BeTrue();
        rnn.IsStateful.Should().BeTrue();
        rnn.DeclaredInputShape.Should().Equal(5, 3);
        rnn.DeclaredBatchSize.Should().Be(2);
        new Sequential(rnn).InputShape!.ToString().Should().Be("(2, 5, 3)");
    }

    [Fact]
    public void LSTM_keeps_recurrent_activation_unit_forget_bias_and_dropout()
    {
        var lstm = RoundTrip(
            new LSTM(
                5,
                recurrentActivation: "sigmoid",
                unitForgetBias: false,
                dropout: 0.2f,
                recurrentDropout: 0.3f,
                returnSequences: true,
                name: "memory",
                inputShape: [null, 3]
            )
        );
        (lstm.RecurrentActivation, lstm.UnitForgetBias).Should().Be((ActivationKind.Sigmoid, false));
        (lstm.Dropout, lstm.RecurrentDropout, lstm.ReturnSequences).Should().Be((0.2f, 0.3f, true));
        new Sequential(lstm);
        lstm.Bias!.Value.Data.Should().OnlyContain(b => b == 0f, "without unit_forget_bias the bias starts at zeros");

        var defaults = RoundTrip(new LSTM(5, name: "plain", inputShape: [null, 3]));
        (defaults.RecurrentActivation, defaults.UnitForgetBias).Should().Be((ActivationKind.HardSigmoid, true));
        new Sequential(defaults);
        defaults.Bias!.Value.Data.Skip(5).Take(5).Should().OnlyContain(b => b == 1f, "the forget block starts at 1");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GRU_keeps_reset_after_and_its_bias_shape(bool resetAfter)
    {
        var gru = RoundTrip(
            new GRU(
                6,
                recurrentActivation: resetAfter ? "sigmoid" : "hard_sigmoid",
                goBackwards: !resetAfter,
                resetAfter: resetAfter,
                name: "gate",
                inputShape: [null, 3]
            )
        );
        gru.ResetAfter.Should().Be(resetAfter);
        gru.GoBackwards.Should().Be(!resetAfter);
        gru.RecurrentActivation.Should().Be(resetAfter ? ActivationKind.Sigmoid : ActivationKind.HardSigmoid);
        new Sequential(gru);
        gru.Bias!.Shape.Should().Equal(resetAfter ? [2, 18] : [18]);
    }

    [Fact]
    public void Bidirectional_stores_the_wrapped_layer_under_its_own_name()
    {
        var inner = new LSTM(4, recurrentActivation: "sigmoid", returnSequences: true, name: "inner");
        var bi = RoundTrip(new Bidirectional(inner, "sum", name: "both", inputShape: [null, 3]));

        var layerEntry = (IReadOnlyDictionary<string, object?>)bi.GetConfig()["layer"]!;
        layerEntry["class_name"].Should().Be("LSTM");
        ((IReadOnlyDictionary<string, object?>)layerEntry["config"]!)["name"].Should().Be("inner");
        ConfigJson(bi, "batch_input_shape").Should().Be("[null,null,3]");
        ConfigJson(bi, "merge_mode").Should().Be("\"sum\"");

        bi.MergeMode.Should().Be("sum");
        bi.ForwardLayer.Should().BeOfType<LSTM>().Which.RecurrentActivation.Should().Be(ActivationKind.Sigmoid);
        (bi.ForwardLayer.Name, bi.BackwardLayer.Name).Should().Be(("forward_inner", "backward_inner"));
        (bi.ForwardLayer.GoBackwards, bi.BackwardLayer.GoBackwards).Should().Be((false, true));
        bi.ReturnSequences.Should().BeTrue();
        new Sequential(bi).OutputShape!.ToString().Should().Be("(None, None, 4)");
    }

    [Fact]
    public void A_stateful_Bidirectional_keeps_its_batch_size()
    {
        var bi = RoundTrip(
            new Bidirectional(
                new GRU(3, resetAfter: true, stateful: true, name: "g"),
                name: "bi",
                inputShape: [4, 2],
                batchSize: 5
            )
        );
        ConfigJson(bi, "batch_input_shape").Should().Be("[5,4,2]");
        bi.IsStateful.Should().BeTrue();
        bi.ForwardLayer.Should().BeOfType<GRU>().Which.ResetAfter.Should().BeTrue();
        new Sequential(bi).InputShape!.ToString().Should().Be("(5, 4, 2)");
    }

    [Fact]
    public void Recurrent_configs_carry_the_common_and_the_keras_keys()
    {
        string[] common = ["name", "trainable", "dtype", "batch_input_shape"];
        string[] shared =
        [
            "units",
            "activation",
            "use_bias",
            "kernel_initializer",
            "recurrent_initializer",
            "bias_initializer",
            "dropout",
            "recurrent_dropout",
            "return_sequences",
            "return_state",
            "go_backwards",
            "stateful",
        ];
        new SimpleRNN(2, inputShape: [null, 1]).GetConfig().Keys.Should().BeEquivalentTo(common.Concat(shared));
        new LSTM(2, inputShape: [null, 1])
            .GetConfig()
            .Keys.Should()
            .BeEquivalentTo([.. common, .. shared, "recurrent_activation", "unit_forget_bias"]);
        new GRU(2, inputShape: [null, 1])
            .GetConfig()
            .Keys.Should()
            .BeEquivalentTo([.. common, .. shared, "recurrent_activation", "reset_after"]);
        new Bidirectional(new SimpleRNN(2), inputShape: [null, 1])
            .GetConfig()
            .Keys.Should()
            .BeEquivalentTo([.. common, "layer", "merge_mode"]);
        // Without a declared input shape there is no batch_input_shape, as in Keras.
        new LSTM(2)
            .GetConfig()
            .Keys.Should()
            .NotContain("batch_input_shape");
        var config = ThroughJson(new LSTM(2, inputShape: [null, 1]).GetConfig());
        ((JsonElement)config["trainable"]!).GetBoolean().Should().BeTrue();
        ((JsonElement)config["dtype"]!).GetString().Should().Be("float32");
        ((JsonElement)config["recurrent_activation"]!).GetString().Should().Be("hard_sigmoid");
    }

    [Fact]
    public void Missing_keys_take_the_keras_2_defaults()
    {
        var gru = (GRU)LayerFactory.FromConfig("GRU", new Dictionary<string, object?> { ["units"] = 3 });
        (gru.Activation, gru.RecurrentActivation, gru.ResetAfter, gru.UseBias)
            .Should()
            .Be((ActivationKind.Tanh, ActivationKind.HardSigmoid, false, true));
        (gru.ReturnSequences, gru.GoBackwards, gru.Stateful, gru.Dropout).Should().Be((false, false, false, 0f));
        var lstm = (LSTM)LayerFactory.FromConfig("LSTM", new Dictionary<string, object?> { ["units"] = 3 });
        lstm.UnitForgetBias.Should().BeTrue();
        var bi = (Bidirectional)
            LayerFactory.FromConfig(
                "Bidirectional",
                new Dictionary<string, object?>
                {
                    ["layer"] = new Dictionary<string, object?>
                    {
                        ["class_name"] = "SimpleRNN",
                        ["config"] = new Dictionary<string, object?> { ["units"] = 2, ["name"] = "r" },
                    },
                }
            );
        bi.MergeMode.Should().Be("concat");
        bi.ForwardLayer.Should().BeOfType<SimpleRNN>().Which.Units.Should().Be(2);
    }

    [Fact]
    public void Bad_recurrent_configs_name_the_class_the_layer_and_the_key()
    {
        Errors
            .Message(() =>
                LayerFactory.FromConfig(
                    "LSTM",
                    ThroughJson(new Dictionary<string, object?> { ["name"] = "m", ["units"] = "many" })
                )
            )
            .Should()
            .Contain("LSTM 'm'")
            .And.Contain("'units' must be an integer");
        Errors
            .Message(() =>
                LayerFactory.FromConfig(
                    "GRU",
                    new Dictionary<string, object?>
                    {
                        ["name"] = "g",
                        ["units"] = 2,
                        ["recurrent_activation"] = "swish",
                    }
                )
            )
            .Should()
            .Contain("'g' (GRU)")
            .And.Contain("recurrent_activation")
            .And.Contain("swish");
        Errors
            .Message(() =>
                LayerFactory.FromConfig(
                    "Bidirectional",
                    new Dictionary<string, object?>
                    {
                        ["name"] = "b",
                        ["layer"] = new Dictionary<string, object?>
                        {
                            ["class_name"] = "Dense",
                            ["config"] = new Dictionary<string, object?> { ["units"] = 2 },
                        },
                    }
                )
            )
            .Should()
            .Contain("Bidirectional 'b'")
            .And.Contain("'layer' must be a SimpleRNN, LSTM or GRU, got Dense");
        Errors
            .Message(() => LayerFactory.FromConfig("Bidirectional", new Dictionary<string, object?>()))
            .Should()
            .Contain("'layer' is missing");
    }

    [Fact]
    public void Layers_report_whether_they_are_stateful()
    {
        new Dense(2).IsStateful.Should().BeFalse();
        new Embedding(5, 2).IsStateful.Should().BeFalse();
        new LSTM(2).IsStateful.Should().BeFalse();
        new LSTM(2, stateful: true).IsStateful.Should().BeTrue();
        new Bidirectional(new SimpleRNN(2)).IsStateful.Should().BeFalse();
        new Bidirectional(new SimpleRNN(2, stateful: true)).IsStateful.Should().BeTrue();
    }

    [Fact]
    public void A_rebuilt_recurrent_layer_computes_the_same_outputs_with_the_same_weights()
    {
        var original = new GRU(4, resetAfter: true, returnSequences: true, name: "g", inputShape: [null, 3]);
        new Sequential([original], seed: 5);
        var copy = RoundTrip(original);
        new Sequential([copy], seed: 6);
        copy.GetWeights()[0].Data.Should().NotEqual(original.GetWeights()[0].Data, "other seed, other weights");
        copy.SetWeights(original.GetWeights());
        var x = GradientCheck.Random(1, [2, 5, 3]);
        copy.Forward(x).Data.Should().Equal(original.Forward(x).Data);
    }
}
