using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class LayerConfigTests
{
    private static Dictionary<string, object?> ThroughJson(IReadOnlyDictionary<string, object?> value) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(JsonSerializer.Serialize(value))!;

    public static TheoryData<string> LayerKinds => new() { "dense", "embedding", "dropout", "flatten", "activation" };

    private static Layer Sample(string kind) =>
        kind switch
        {
            "dense" => new Dense(8, "relu", useBias: false, name: "hidden", inputShape: [16], batchSize: 4),
            "embedding" => new Embedding(3800, 32, "glorot_uniform", maskZero: true, inputLength: 380, name: "words"),
            "dropout" => new Dropout(0.35f, seed: 12, name: "drop"),
            "flatten" => new Flatten(name: "flat"),
            "activation" => new Activation("softmax", name: "probabilities"),
            _ => throw new ArgumentException(kind),
        };

    [Theory]
    [MemberData(nameof(LayerKinds))]
    public void Config_survives_a_json_round_trip(string kind)
    {
        var layer = Sample(kind);
        string json = JsonSerializer.Serialize(LayerFactory.ToEntry(layer));
        var rebuilt = LayerFactory.FromEntry(ThroughJson(LayerFactory.ToEntry(layer)));
        rebuilt.Should().NotBeSameAs(layer).And.BeOfType(layer.GetType());
        rebuilt.Name.Should().Be(layer.Name);
        JsonSerializer.Serialize(LayerFactory.ToEntry(rebuilt)).Should().Be(json);
    }

    [Fact]
    public void Configs_use_keras_keys_and_values()
    {
        var dense = ThroughJson(Sample("dense").GetConfig());
        dense["units"].Should().BeOfType<JsonElement>().Which.GetInt32().Should().Be(8);
        JsonSerializer.Serialize(dense["batch_input_shape"]).Should().Be("[4,16]");
        ((JsonElement)dense["activation"]!).GetString().Should().Be("relu");
        ((JsonElement)dense["use_bias"]!).GetBoolean().Should().BeFalse();

        var embedding = ThroughJson(Sample("embedding").GetConfig());
        JsonSerializer.Serialize(embedding["batch_input_shape"]).Should().Be("[null,380]");
        ((JsonElement)embedding["input_dim"]!).GetInt32().Should().Be(3800);
        ((JsonElement)embedding["mask_zero"]!).GetBoolean().Should().BeTrue();

        ((JsonElement)ThroughJson(Sample("dropout").GetConfig())["rate"]!).GetSingle().Should().Be(0.35f);
    }

    [Fact]
    public void Plain_dotnet_values_work_as_well_as_json_elements()
    {
        var dense = (Dense)
            LayerFactory.FromConfig(
                "Dense",
                new Dictionary<string, object?>
                {
                    ["units"] = 8L,
                    ["activation"] = "tanh",
                    ["batch_input_shape"] = new object?[] { null, 16.0 },
                }
            );
        (dense.Units, dense.Activation, dense.UseBias).Should().Be((8, ActivationKind.Tanh, true));
        dense.DeclaredInputShape.Should().Equal(16);
        var dropout = (Dropout)LayerFactory.FromConfig("Dropout", new Dictionary<string, object?> { ["rate"] = 0.2 });
        dropout.Rate.Should().Be(0.2f);
        dropout.Seed.Should().BeNull();
    }

    [Fact]
    public void A_model_rebuilt_from_configs_and_weights_predicts_identically()
    {
        var model = new Sequential(
            [new Embedding(20, 4, inputLength: 5), new Flatten(), new Dense(3, "softmax")],
            seed: 3
        );
        string json = JsonSerializer.Serialize(model.Layers.Select(LayerFactory.ToEntry));
        var entries = JsonSerializer.Deserialize<List<Dictionary<string, object?>>>(json)!;
        var copy = new Sequential(entries.Select(LayerFactory.FromEntry), seed: 99);
        copy.Summary().ToString().Should().Be(model.Summary().ToString());
        copy.SetWeights(model.GetWeights());
        var x = Tensor.FromArray(
            new[,]
            {
                { 0, 3, 19, 7, 7 },
                { 1, 2, 3, 4, 5 },
            }
        );
        copy.Forward(x).Data.Should().Equal(model.Forward(x).Data);
    }

    [Fact]
    public void Wrong_values_name_the_class_the_layer_and_the_key()
    {
        Errors
            .Message(() =>
                LayerFactory.FromConfig(
                    "Dense",
                    ThroughJson(new Dictionary<string, object?> { ["name"] = "d", ["units"] = "eight" })
                )
            )
            .Should()
            .Contain("Dense 'd'")
            .And.Contain("'units' must be an integer")
            .And.Contain("\"eight\"");
        Errors
            .Message(() => LayerFactory.FromConfig("Dense", new Dictionary<string, object?> { ["units"] = 2.5 }))
            .Should()
            .Contain("'units' must be an integer, got 2.5");
        Errors
            .Message(() => LayerFactory.FromConfig("Embedding", new Dictionary<string, object?> { ["input_dim"] = 10 }))
            .Should()
            .Contain("Embedding")
            .And.Contain("'output_dim' is missing");
        Errors
            .Message(() => LayerFactory.FromConfig("Dropout", new Dictionary<string, object?> { ["rate"] = true }))
            .Should()
            .Contain("'rate' must be a number");
    }

    [Fact]
    public void Unknown_class_lists_the_known_ones()
    {
        Errors
            .Message(() => LayerFactory.FromConfig("Conv2D", new Dictionary<string, object?>()))
            .Should()
            .Contain("'Conv2D'")
            .And.Contain("Activation, Bidirectional, Dense, Dropout, Embedding, Flatten, GRU, LSTM, SimpleRNN.");
    }

    [Fact]
    public void Invalid_arguments_in_a_config_are_caught_by_the_constructor()
    {
        Errors
            .Message(() =>
                LayerFactory.FromConfig("Dense", new Dictionary<string, object?> { ["units"] = -2, ["name"] = "d" })
            )
            .Should()
            .Contain("'d' (Dense)")
            .And.Contain("got -2");
    }
}
