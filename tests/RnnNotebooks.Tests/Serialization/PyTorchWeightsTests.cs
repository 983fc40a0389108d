using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Serialization;
using RnnNotebooks.Tensors;
using static RnnNotebooks.Tests.Runner.RunnerTestFiles;

namespace RnnNotebooks.Tests.Serialization;

/// <summary>
/// Runs when Debian's python3-torch is importable by /usr/bin/python3; RNN_REQUIRE_TORCH=1 turns a
/// missing PyTorch into a failure instead of a skip.
/// </summary>
public sealed class TorchFactAttribute : FactAttribute
{
    public TorchFactAttribute()
    {
        if (!TorchPython.Installed && Environment.GetEnvironmentVariable("RNN_REQUIRE_TORCH") != "1")
            Skip = "PyTorch is not installed for /usr/bin/python3 (apt-get install python3-torch)";
    }
}

internal static class TorchPython
{
    public static readonly bool Installed =
        File.Exists("/usr/bin/python3")
        && RunProcess("/usr/bin/python3", "/", TimeSpan.FromSeconds(120), "-c", "import torch, numpy").ExitCode == 0;
}

/// <summary>
/// PyTorchWeights: PyTorch-written state_dicts (tests/fixtures-torch/make_safetensors_fixtures.py)
/// imported into the equivalent models reproduce PyTorch's outputs; our exports load into torch.nn
/// (live, with python3-torch); names, layouts and refusals are exact; export → import is bit-identical.
/// </summary>
public class PyTorchWeightsTests : IDisposable
{
    private const int Steps = 5,
        Features = 4,
        Units = 6;

    private readonly string _folder = Path.Combine(
        Path.GetTempPath(),
        "rnn-torchbridge-" + Guid.NewGuid().ToString("N")
    );

    public PyTorchWeightsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string FixturePath(string name) =>
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "TorchSafetensors", name + ".safetensors");

    private static int?[] Sample => [Steps, Features];

    /// <summary>The C# model equivalent to each fixture's torch.nn modules (same layer names as the state_dict prefixes).</summary>
    public static Sequential FixtureModel(string fixture) =>
        fixture switch
        {
            "rnn_relu_sequences" => new Sequential(
                new SimpleRNN(Units, "relu", returnSequences: true, name: "simple_rnn", inputShape: Sample)
            ),
            "rnn_no_bias_go_backwards" => new Sequential(
                new SimpleRNN(Units, useBias: false, goBackwards: true, name: "simple_rnn", inputShape: Sample)
            ),
            "lstm_dense_softmax" => new Sequential(
                new LSTM(Units, recurrentActivation: "sigmoid", name: "lstm", inputShape: Sample),
                new Dense(3, "softmax", name: "dense")
            ),
            "gru_sequences" => new Sequential(
                new GRU(
                    Units,
                    recurrentActivation: "sigmoid",
                    resetAfter: true,
                    returnSequences: true,
                    name: "gru",
                    inputShape: Sample
                )
            ),
            "bidirectional_lstm_sequences" => new Sequential(
                new Bidirectional(
                    new LSTM(Units, recurrentActivation: "sigmoid", returnSequences: true),
                    name: "bidirectional",
                    inputShape: Sample
                )
            ),
            "bidirectional_gru_sum" => new Sequential(
                new Bidirectional(
                    new GRU(Units, recurrentActivation: "sigmoid", resetAfter: true),
                    "sum",
                    name: "bidirectional",
                    inputShape: Sample
                )
            ),
            "embedding_lstm_dense" => new Sequential(
                new Embedding(20, Features, inputLength: Steps, name: "embedding"),
                new LSTM(Units, recurrentActivation: "sigmoid", name: "lstm"),
                new Dense(1, "sigmoid", name: "dense")
            ),
            _ => throw new ArgumentException(fixture),
        };

    [Theory]
    [InlineData("rnn_relu_sequences")]
    [InlineData("rnn_no_bias_go_backwards")]
    [InlineData("lstm_dense_softmax")]
    [InlineData("gru_sequences")]
    [InlineData("bidirectional_lstm_sequences")]
    [InlineData("bidirectional_gru_sum")]
    [InlineData("embedding_lstm_dense")]
    public void Import_OfAPyTorchStateDict_ReproducesPyTorchsOutputs(string fixture)
    {
        var model = FixtureModel(fixture);
        model.LoadPyTorchWeights(FixturePath(fixture));
        var io = SafeTensorsFile.Read(FixturePath(fixture + ".io"));
        var expected = io["output"];

        var actual = model.Predict(io["x"]);

        actual.Shape.Should().Equal(expected.Shape);
        for (int i = 0; i < expected.Size; i++)
            actual.Data[i].Should().BeApproximately(expected.Data[i], 1e-5f, $"{fixture}: output[{i}]");
    }

    [Fact]
    public void Import_AddsPyTorchsTwoBiases_AndSwapsGruBlocksBack()
    {
        var lstm = FixtureModel("lstm_dense_softmax");
        lstm.LoadPyTorchWeights(FixturePath("lstm_dense_softmax"));
        var file = SafeTensorsFile.Read(FixturePath("lstm_dense_softmax"));
        var layer = (LSTM)lstm[0];
        var bih = file["lstm.bias_ih_l0"];
        var bhh = file["lstm.bias_hh_l0"];
        layer.Bias!.Value.Data.Should().Equal(bih.Data.Zip(bhh.Data, (a, b) => a + b));
        // weight_ih_l0 row g (a gate unit) is column g of the kernel.
        var wih = file["lstm.weight_ih_l0"];
        layer.Kernel.Value.Data[1 * 4 * Units + 7].Should().Be(wih.Data[7 * Features + 1]);

        var gru = FixtureModel("gru_sequences");
        gru.LoadPyTorchWeights(FixturePath("gru_sequences"));
        var gruFile = SafeTensorsFile.Read(FixturePath("gru_sequences"));
        var gruLayer = (GRU)gru[0];
        var gruWih = gruFile["gru.weight_ih_l0"];
        // Keras z (columns 0..u) is PyTorch's second block (rows u..2u); Keras r is PyTorch's first.
        gruLayer.Kernel.Value.Data[2 * 3 * Units + 0].Should().Be(gruWih.Data[(Units + 0) * Features + 2]);
        gruLayer.Kernel.Value.Data[2 * 3 * Units + Units].Should().Be(gruWih.Data[0 * Features + 2]);
        gruLayer.Kernel.Value.Data[2 * 3 * Units + 2 * Units].Should().Be(gruWih.Data[2 * Units * Features + 2]);
        // bias (2, 3u): row 0 = b_ih, row 1 = b_hh, each reordered.
        gruLayer.Bias!.Value.Data[0].Should().Be(gruFile["gru.bias_ih_l0"].Data[Units]);
        gruLayer.Bias.Value.Data[3 * Units + Units].Should().Be(gruFile["gru.bias_hh_l0"].Data[0]);
    }

    /// <summary>A model with every mapped layer kind and options, random weights from <paramref name="seed"/>.</summary>
    private static Sequential EveryKind(ulong seed, bool bias = true) =>
        new(
            [
                new Embedding(12, Features, inputLength: Steps, name: "embedding"),
                new SimpleRNN(Units, returnSequences: true, useBias: bias, name: "rnn"),
                new Bidirectional(
                    new GRU(
                        Units,
                        recurrentActivation: "sigmoid",
                        resetAfter: true,
                        returnSequences: true,
                        useBias: bias
                    ),
                    name: "bi_gru"
                ),
                new Dropout(0.3f, name: "dropout"),
                new Bidirectional(
                    new LSTM(Units, recurrentActivation: "sigmoid", returnSequences: true, useBias: bias),
                    "ave",
                    name: "bi_lstm"
                ),
                new GRU(Units, recurrentActivation: "sigmoid", resetAfter: true, goBackwards: true, name: "gru"),
                new Dense(3, "softmax", useBias: bias, name: "dense"),
            ],
            seed: seed
        );

    /// <summary>Nonzero random biases, so the round trip is not trivially zeros.</summary>
    private static void RandomizeBiases(Sequential model, ulong seed)
    {
        var rng = new SeededRandom(seed);
        foreach (var p in model.Parameters.Where(p => p.Name == "bias"))
            for (int i = 0; i < p.Size; i++)
                p.Value.Data[i] = rng.NextFloat() - 0.5f;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Export_ThenImport_GivesBitIdenticalWeights(bool bias)
    {
        var source = EveryKind(1, bias);
        RandomizeBiases(source, 7);
        var target = EveryKind(2, bias);
        string path = Path.Combine(_folder, "model.safetensors");

        source.SavePyTorchWeights(path);
        target.LoadPyTorchWeights(path);

        var expected = source.GetWeights();
        var actual = target.GetWeights();
        actual.Should().HaveCount(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].Shape.Should().Equal(expected[i].Shape);
            actual[i]
                .Data.Select(BitConverter.SingleToInt32Bits)
                .Should()
                .Equal(expected[i].Data.Select(BitConverter.SingleToInt32Bits), $"weight {i}");
        }
        Directory.GetFiles(_folder).Should().Equal([path], "the write leaves no temporary file");
    }

    [Fact]
    public void Export_WritesPyTorchNamesShapesAndLayouts()
    {
        var model = EveryKind(3);
        RandomizeBiases(model, 9);
        string path = Path.Combine(_folder, "model.safetensors");
        model.SavePyTorchWeights(path);
        var file = SafeTensorsFile.Read(path);

        string[] recurrent(string module, string suffix) =>
            [
                $"{module}.weight_ih_l0{suffix}",
                $"{module}.weight_hh_l0{suffix}",
                $"{module}.bias_ih_l0{suffix}",
                $"{module}.bias_hh_l0{suffix}",
            ];
        file.Names.Should()
            .Equal([
                "embedding.weight",
                .. recurrent("rnn", ""),
                .. recurrent("bi_gru", ""),
                .. recurrent("bi_gru", "_reverse"),
                .. recurrent("bi_lstm", ""),
                .. recurrent("bi_lstm", "_reverse"),
                .. recurrent("gru", ""),
                "dense.weight",
                "dense.bias",
            ]);
        file["embedding.weight"].Shape.Should().Equal(12, Features);
        file["rnn.weight_ih_l0"].Shape.Should().Equal(Units, Features);
        file["bi_gru.weight_ih_l0_reverse"].Shape.Should().Equal(3 * Units, Units);
        file["bi_lstm.weight_hh_l0"].Shape.Should().Equal(4 * Units, Units);
        file["bi_lstm.bias_ih_l0"].Shape.Should().Equal(4 * Units);
        file["dense.weight"].Shape.Should().Equal(3, Units);

        // Dense: weight = kernelᵀ (out, in).
        var dense = (Dense)model.GetLayer("dense");
        file["dense.weight"].Data[2 * Units + 5].Should().Be(dense.Kernel.Value.Data[5 * 3 + 2]);
        // LSTM (i, f, c, o both sides): weight_hh row r = recurrent kernel column r; bias_hh zeros.
        var lstm = ((Bidirectional)model.GetLayer("bi_lstm")).BackwardLayer;
        file["bi_lstm.weight_hh_l0_reverse"]
            .Data[(3 * Units + 1) * Units + 4]
            .Should()
            .Be(lstm.RecurrentKernel.Value.Data[4 * 4 * Units + 3 * Units + 1]);
        file["bi_lstm.bias_ih_l0_reverse"].Data.Should().Equal(lstm.Bias!.Value.Data);
        file["bi_lstm.bias_hh_l0_reverse"].Data.Should().OnlyContain(v => v == 0f);
        // GRU: PyTorch's r block (rows 0..u) is Keras' second block (columns u..2u).
        var gru = (GRU)model.GetLayer("gru");
        file["gru.weight_hh_l0"]
            .Data[2 * Units + 3]
            .Should()
            .Be(gru.RecurrentKernel.Value.Data[3 * 3 * Units + Units + 2]);
        file["gru.bias_hh_l0"].Data[Units + 1].Should().Be(gru.Bias!.Value.Data[3 * Units + 1]);

        file.Metadata["format"].Should().Be("pt");
        file.Metadata[PyTorchWeights.LayersMetadataKey]
            .Should()
            .Contain("\"merge_mode\":\"ave\"")
            .And.Contain("\"go_backwards\":true");
    }

    [Fact]
    public void Export_RefusesWhatTorchNnCannotCompute_NamingTheLayer()
    {
        string path = Path.Combine(_folder, "refused.safetensors");
        string Refusal(Layer layer) =>
            FluentActions
                .Invoking(() => new Sequential(layer).SavePyTorchWeights(path))
                .Should()
                .Throw<PyTorchWeightsException>()
                .Which.Message;

        Refusal(new LSTM(3, name: "keras_lstm", inputShape: Sample))
            .Should()
            .Contain("'keras_lstm' (LSTM)")
            .And.Contain("recurrent_activation 'hard_sigmoid'");
        Refusal(new GRU(3, recurrentActivation: "sigmoid", name: "old_gru", inputShape: Sample))
            .Should()
            .Contain("'old_gru' (GRU)")
            .And.Contain("reset_after = false");
        Refusal(new SimpleRNN(3, "sigmoid", name: "rnn", inputShape: Sample)).Should().Contain("activation 'sigmoid'");
        Refusal(new LSTM(3, "relu", "sigmoid", name: "relu_lstm", inputShape: Sample))
            .Should()
            .Contain("activation 'relu' (PyTorch uses tanh)");
        Refusal(new Bidirectional(new GRU(3, resetAfter: true), name: "bi", inputShape: Sample))
            .Should()
            .Contain("'bi' (GRU)")
            .And.Contain("hard_sigmoid");
        File.Exists(path).Should().BeFalse("nothing is written when the model cannot be expressed");
    }

    [Fact]
    public void Import_NamesMissingExtraAndMisshapedTensors_AndChangesNothing()
    {
        string path = Path.Combine(_folder, "bad.safetensors");
        var model = FixtureModel("lstm_dense_softmax");
        var before = model.GetWeights();
        var good = SafeTensorsFile.Read(FixturePath("lstm_dense_softmax"));
        var tensors = good
            .Names.Where(n => n != "lstm.bias_hh_l0")
            .Select(n => new KeyValuePair<string, Tensor>(n, n == "dense.weight" ? new Tensor(6, 3) : good[n]))
            .Append(new("lstm.extra", new Tensor(2)))
            .ToList();
        SafeTensorsFile.Write(path, tensors);

        var message = FluentActions
            .Invoking(() => model.LoadPyTorchWeights(path))
            .Should()
            .Throw<PyTorchWeightsException>()
            .Which.Message;

        message.Should().Contain("bad.safetensors").And.Contain("missing tensor 'lstm.bias_hh_l0' (24,)");
        message.Should().Contain("tensor 'dense.weight' has shape (6, 3), expected (3, 6)");
        message.Should().Contain("unexpected tensor 'lstm.extra'");
        model
            .GetWeights()
            .Select(w => w.Data)
            .Should()
            .BeEquivalentTo(before.Select(w => w.Data), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Import_ChecksTheExportedArchitecture()
    {
        string path = Path.Combine(_folder, "model.safetensors");
        FixtureModel("gru_sequences").SavePyTorchWeights(path);
        var lastOnly = new Sequential(
            new GRU(Units, recurrentActivation: "sigmoid", resetAfter: true, name: "gru", inputShape: Sample)
        );
        FluentActions
            .Invoking(() => lastOnly.LoadPyTorchWeights(path))
            .Should()
            .Throw<PyTorchWeightsException>()
            .WithMessage(
                "*layer 'gru' (GRU) as *\"return_sequences\":true*but model * has *\"return_sequences\":false*"
            );

        var renamed = new Sequential(
            new GRU(
                Units,
                recurrentActivation: "sigmoid",
                resetAfter: true,
                returnSequences: true,
                name: "other",
                inputShape: Sample
            )
        );
        FluentActions
            .Invoking(() => renamed.LoadPyTorchWeights(path))
            .Should()
            .Throw<PyTorchWeightsException>()
            .WithMessage("*describes no layer 'other' (GRU)*it has gru*");

        var unbuilt = new Sequential(new GRU(Units, recurrentActivation: "sigmoid", resetAfter: true, name: "gru"));
        FluentActions
            .Invoking(() => unbuilt.LoadPyTorchWeights(path))
            .Should()
            .Throw<PyTorchWeightsException>()
            .WithMessage("*is not built*");
    }

    /// <summary>
    /// Live: C# exports models with random weights and its own outputs; torch.nn modules built from
    /// the file (tests/fixtures-torch/safetensors_torch.py, state_dict loaded strictly) must give
    /// the same outputs to 1e-5.
    /// </summary>
    [TorchFact]
    public void Export_LoadsIntoTorchNn_AndMatchesOutputs()
    {
        var models = new Dictionary<string, Func<Sequential>>
        {
            ["every_kind"] = () => EveryKind(11),
            ["every_kind_no_bias"] = () => EveryKind(12, bias: false),
            ["fixture_architectures"] = () => FixtureModel("bidirectional_gru_sum"),
            ["flatten"] = () =>
                new Sequential(
                    [
                        new Embedding(9, 3, inputLength: Steps, name: "embedding"),
                        new Flatten(name: "flatten"),
                        new Dense(4, "relu", name: "hidden"),
                        new Activation("tanh", name: "squash"),
                        new Dense(2, name: "out"),
                    ],
                    seed: 5
                ),
            ["lstm_relu_rnn"] = () =>
                new Sequential(
                    [
                        new LSTM(
                            Units,
                            recurrentActivation: "sigmoid",
                            returnSequences: true,
                            name: "lstm",
                            inputShape: Sample
                        ),
                        new SimpleRNN(3, "relu", goBackwards: true, returnSequences: true, name: "rnn"),
                    ],
                    seed: 6
                ),
        };
        string script = Path.Combine(RepositoryRoot(), "tests", "fixtures-torch", "check_safetensors_export.py");
        var rng = new SeededRandom(21);
        foreach (var (name, build) in models)
        {
            var model = build();
            RandomizeBiases(model, 13);
            bool tokens = model[0] is Embedding;
            var x = new Tensor(4, Steps, Features);
            if (tokens)
                x = new Tensor(4, Steps);
            for (int i = 0; i < x.Size; i++)
                x.Data[i] = tokens ? (float)Math.Floor(rng.NextFloat() * 9) : 2 * rng.NextFloat() - 1;
            string modelPath = Path.Combine(_folder, name + ".safetensors");
            string ioPath = Path.Combine(_folder, name + ".io.safetensors");
            model.SavePyTorchWeights(modelPath);
            SafeTensorsFile.Write(ioPath, [new("x", x), new("output", model.Predict(x))]);

            var (exitCode, stdout, stderr) = RunProcess(
                "/usr/bin/python3",
                RepositoryRoot(),
                TimeSpan.FromMinutes(3),
                script,
                modelPath,
                ioPath
            );

            exitCode.Should().Be(0, $"{name}: torch.nn gives C#'s outputs.\n{stdout}\n{stderr}");
            stdout.Should().StartWith("max_abs_diff ");
        }
    }
}
