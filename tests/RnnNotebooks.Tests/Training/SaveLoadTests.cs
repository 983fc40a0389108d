using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Serialization;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public sealed class SaveLoadTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static (Tensor X, Tensor Y) Data()
    {
        var x = Tensor.FromArray(
            new float[,]
            {
                { 0, 0 },
                { 0, 1 },
                { 1, 0 },
                { 1, 1 },
                { 0.5f, 0.2f },
            }
        );
        var y = new Tensor([0f, 1, 1, 0, 1], 5, 1);
        return (x, y);
    }

    private static Sequential TrainedModel(int hidden = 6)
    {
        var (x, y) = Data();
        var model = new Sequential(
            new Layer[] { new Dense(hidden, "tanh", inputShape: [2]), new Dense(1, "sigmoid", useBias: true) },
            seed: 17
        );
        model.Compile(new Adam(0.03f, clipNorm: 5f), "binary_crossentropy", ["acc"]);
        model.Fit(x, y, batchSize: 2, epochs: 20, verbose: 0);
        return model;
    }

    [Fact]
    public void A_reloaded_model_predicts_identically_and_keeps_names_seed_and_compile_settings()
    {
        var (x, y) = Data();
        var model = TrainedModel();
        string path = _folder.File("xor.rnnmodel");
        model.Save(path);

        var loaded = Sequential.Load(path);

        loaded.Predict(x).Data.Should().Equal(model.Predict(x).Data);
        loaded.Name.Should().Be(model.Name);
        loaded.Seed.Should().Be(17UL);
        loaded.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        loaded.Summary().ToString().Should().Be(model.Summary().ToString());
        loaded.Loss!.Name.Should().Be("binary_crossentropy");
        loaded.Metrics.Should().Equal("acc");
        var adam = loaded.Optimizer.Should().BeOfType<Adam>().Subject;
        (adam.LearningRate, adam.ClipNorm).Should().Be((0.03f, 5f));
        adam.Iterations.Should().Be(0, "optimizer state is not saved");
        loaded.Evaluate(x, y).Loss.Should().Be(model.Evaluate(x, y).Loss);
        loaded.Fit(x, y, epochs: 1, verbose: 0)["loss"].Should().ContainSingle();
    }

    [Fact]
    public void Saving_writes_no_temporary_files_and_overwrites_an_existing_file()
    {
        string path = _folder.File("model.rnnmodel");
        File.WriteAllText(path, "old content");
        var model = TrainedModel();
        model.Save(path);
        Directory.GetFiles(_folder.Path).Should().Equal(path);
        Sequential.Load(path).GetWeights()[0].Data.Should().Equal(model.GetWeights()[0].Data);
    }

    [Fact]
    public void Save_creates_a_missing_folder()
    {
        string path = Path.Combine(_folder.Path, "nested", "deeper", "m.rnnmodel");
        TrainedModel().Save(path);
        File.Exists(path).Should().BeTrue();
    }

    [Fact]
    public void Weights_round_trip_into_a_fresh_model_of_the_same_architecture()
    {
        var (x, _) = Data();
        var model = TrainedModel();
        string path = _folder.File("weights.rnnweights");
        model.SaveWeights(path);
        var fresh = new Sequential(
            new Layer[] { new Dense(6, "tanh", inputShape: [2]), new Dense(1, "sigmoid") },
            seed: 99
        );
        fresh.Predict(x).Data.Should().NotEqual(model.Predict(x).Data);
        fresh.LoadWeights(path);
        fresh.Predict(x).Data.Should().Equal(model.Predict(x).Data);
    }

    [Fact]
    public void Load_weights_also_reads_a_model_file()
    {
        var model = TrainedModel();
        string path = _folder.File("full.rnnmodel");
        model.Save(path);
        var fresh = new Sequential(
            new Layer[] { new Dense(6, "tanh", inputShape: [2]), new Dense(1, "sigmoid") },
            seed: 1
        );
        fresh.LoadWeights(path);
        fresh.GetWeights()[2].Data.Should().Equal(model.GetWeights()[2].Data);
    }

    [Fact]
    public void The_weights_file_follows_the_documented_layout()
    {
        var model = TrainedModel(hidden: 3);
        string path = _folder.File("layout.rnnweights");
        model.SaveWeights(path);
        var bytes = File.ReadAllBytes(path);

        Encoding.ASCII.GetString(bytes, 0, 8).Should().Be("RNNWGHTS");
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)).Should().Be(1u);
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)).Should().Be(4u);
        int pos = 16;
        var weights = model.GetWeights();
        string[] names = model.Layers.SelectMany(l => new[] { $"{l.Name}/kernel:0", $"{l.Name}/bias:0" }).ToArray();
        for (int a = 0; a < 4; a++)
        {
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(pos));
            Encoding.UTF8.GetString(bytes, pos + 2, nameLength).Should().Be(names[a]);
            pos += 2 + nameLength;
            int rank = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos));
            var shape = Enumerable
                .Range(0, rank)
                .Select(d => (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 4 + 4 * d)))
                .ToArray();
            shape.Should().Equal(weights[a].Shape);
            pos += 4 + 4 * rank;
            var values = Enumerable
                .Range(0, weights[a].Size)
                .Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(pos + 4 * i)))
                .ToArray();
            values.Should().Equal(weights[a].Data);
            BinaryPrimitives
                .ReadUInt32LittleEndian(bytes.AsSpan(pos + 4 * values.Length))
                .Should()
                .Be(Crc32.HashToUInt32(bytes.AsSpan(pos, 4 * values.Length)));
            pos += 4 * values.Length + 4;
        }
        pos.Should().Be(bytes.Length);
    }

    [Fact]
    public void The_model_file_starts_with_magic_version_and_the_architecture_json()
    {
        var model = TrainedModel(hidden: 3);
        string path = _folder.File("layout.rnnmodel");
        model.Save(path);
        var bytes = File.ReadAllBytes(path);
        Encoding.ASCII.GetString(bytes, 0, 8).Should().Be("RNNMODEL");
        BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)).Should().Be(1u);
        int jsonLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        string json = Encoding.UTF8.GetString(bytes, 16, jsonLength);
        json.Should().Be(model.ToJson());
        BinaryPrimitives
            .ReadUInt32LittleEndian(bytes.AsSpan(16 + jsonLength))
            .Should()
            .Be(Crc32.HashToUInt32(bytes.AsSpan(16, jsonLength)));
        Encoding.ASCII.GetString(bytes, 20 + jsonLength, 8).Should().Be("RNNWGHTS");

        using var doc = JsonDocument.Parse(json);
        var config = doc.RootElement.GetProperty("config");
        System
            .Text.RegularExpressions.Regex.Replace(config.GetProperty("batch_input_shape").GetRawText(), @"\s", "")
            .Should()
            .Be("[null,2]");
        var first = config.GetProperty("layers")[0];
        first.GetProperty("class_name").GetString().Should().Be("Dense");
        first.GetProperty("config").GetProperty("units").GetInt32().Should().Be(3);
        first.GetProperty("config").GetProperty("activation").GetString().Should().Be("tanh");
        doc.RootElement.GetProperty("compile_config")
            .GetProperty("optimizer")
            .GetProperty("class_name")
            .GetString()
            .Should()
            .Be("Adam");
        doc.RootElement.GetProperty("weights").GetArrayLength().Should().Be(4);
    }

    [Fact]
    public void From_json_rebuilds_the_architecture_with_the_seeded_initial_weights()
    {
        var model = new Sequential(
            new Layer[] { new Dense(4, "relu", inputShape: [3]), new Dense(2, "softmax") },
            seed: 5
        );
        var copy = Sequential.FromJson(model.ToJson());
        copy.Layers.Select(l => l.Name).Should().Equal(model.Layers.Select(l => l.Name));
        for (int i = 0; i < 4; i++)
            copy.GetWeights()[i].Data.Should().Equal(model.GetWeights()[i].Data);
        copy.Optimizer.Should().BeNull("the model was not compiled");
    }

    [Fact]
    public void The_checksum_is_crc32_ieee_with_the_standard_check_value() =>
        Crc32.HashToUInt32(Encoding.ASCII.GetBytes("123456789")).Should().Be(0xCBF43926u);

    [Fact]
    public void Files_written_with_the_former_hand_written_crc32_load_and_are_written_again_byte_for_byte()
    {
        // Fixtures/ModelFiles was written by this library before its CRC-32 came from System.IO.Hashing:
        // Sequential([LSTM(3, inputShape: [4, 2]), Dense(2, "softmax")], name: "format_v1", seed: 7), compiled
        // with Adam(0.01), categorical_crossentropy, ["acc"]; Save and SaveWeights, then Predict on x below.
        string folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ModelFiles");
        string modelFile = Path.Combine(folder, "lstm-dense-v1.rnnmodel");
        string weightsFile = Path.Combine(folder, "lstm-dense-v1.rnnweights");
        var x = new Tensor(Enumerable.Range(0, 8).Select(i => (i - 3.5f) / 4f).ToArray(), 1, 4, 2);
        uint[] savedPrediction = [0x3EF984BCu, 0x3F033DA2u];

        var model = Sequential.Load(modelFile);
        model.Name.Should().Be("format_v1");
        model.Optimizer.Should().BeOfType<Adam>();
        model.Predict(x).Data.Select(BitConverter.SingleToUInt32Bits).Should().Equal(savedPrediction);

        // Every checksum computed now equals the one stored then: the files come out identical.
        string modelAgain = _folder.File("again.rnnmodel");
        string weightsAgain = _folder.File("again.rnnweights");
        model.Save(modelAgain);
        model.SaveWeights(weightsAgain);
        File.ReadAllBytes(modelAgain).Should().Equal(File.ReadAllBytes(modelFile));
        File.ReadAllBytes(weightsAgain).Should().Equal(File.ReadAllBytes(weightsFile));

        var fresh = new Sequential(new Layer[] { new LSTM(3, inputShape: [4, 2]), new Dense(2, "softmax") }, seed: 99);
        fresh.LoadWeights(weightsFile);
        fresh.Predict(x).Data.Select(BitConverter.SingleToUInt32Bits).Should().Equal(savedPrediction);
    }

    private string SavedModelFile(out byte[] bytes)
    {
        string path = _folder.File("source.rnnmodel");
        TrainedModel().Save(path);
        bytes = File.ReadAllBytes(path);
        return path;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(0.5)]
    public void Truncated_files_are_rejected_naming_the_file(double cut)
    {
        SavedModelFile(out var bytes);
        int keep = cut < 1 ? (int)(bytes.Length * cut) : bytes.Length - (int)cut;
        string path = _folder.File($"truncated-{keep}.rnnmodel");
        File.WriteAllBytes(path, bytes[..keep]);
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .Where(e => e.Message.Contains(path) && e.Message.Contains("is truncated") && e.FilePath == path);
    }

    [Fact]
    public void A_flipped_weight_byte_fails_the_checksum_naming_the_array()
    {
        SavedModelFile(out var bytes);
        bytes[^6] ^= 0x40; // the file ends with the output bias: one value (4 bytes), then its CRC (4 bytes)
        string path = _folder.File("corrupt.rnnmodel");
        File.WriteAllBytes(path, bytes);
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*corrupt.rnnmodel*is corrupt*CRC-32*array 4 of 4*bias:0*");
    }

    [Fact]
    public void A_flipped_json_byte_fails_the_json_checksum()
    {
        SavedModelFile(out var bytes);
        bytes[30] ^= 0x01;
        string path = _folder.File("json.rnnmodel");
        File.WriteAllBytes(path, bytes);
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*is corrupt*architecture JSON*CRC-32*");
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        SavedModelFile(out var bytes);
        string path = _folder.File("trailing.rnnmodel");
        File.WriteAllBytes(path, [.. bytes, 1, 2, 3]);
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*3 unexpected bytes*");
    }

    [Fact]
    public void Weights_of_another_architecture_are_rejected_with_both_shapes()
    {
        string path = _folder.File("six.rnnweights");
        TrainedModel(hidden: 6).SaveWeights(path);
        var other = new Sequential(
            new Layer[] { new Dense(5, "tanh", inputShape: [2]), new Dense(1, "sigmoid") },
            name: "other",
            seed: 1
        );
        FluentActions
            .Invoking(() => other.LoadWeights(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage(
                "*six.rnnweights*does not fit model 'other'*array 1*has shape (2, 6)*needs kernel of shape (2, 5)*"
            );
        var deeper = new Sequential(
            new Layer[] { new Dense(6, "tanh", inputShape: [2]), new Dense(3), new Dense(1, "sigmoid") },
            name: "deeper",
            seed: 1
        );
        FluentActions
            .Invoking(() => deeper.LoadWeights(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*does not fit model 'deeper': it holds 4 weight arrays*but the model has 6*");
        other.GetWeights()[0].Data.Should().NotContain(float.NaN);
    }

    [Fact]
    public void A_failed_load_leaves_the_weights_untouched()
    {
        string path = _folder.File("six.rnnweights");
        TrainedModel(hidden: 6).SaveWeights(path);
        var other = new Sequential(
            new Layer[] { new Dense(6, "tanh", inputShape: [2]), new Dense(2, "sigmoid") },
            seed: 1
        );
        var before = other.GetWeights();
        FluentActions.Invoking(() => other.LoadWeights(path)).Should().Throw<ModelFileException>();
        other.GetWeights()[0].Data.Should().Equal(before[0].Data, "the mismatch is found before anything is copied");
    }

    [Fact]
    public void Files_that_are_not_ours_are_rejected()
    {
        string text = _folder.File("notes.txt");
        File.WriteAllText(text, "hello, this is not a model");
        FluentActions
            .Invoking(() => Sequential.Load(text))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*notes.txt*is not an RnnNotebooks model file*68-65-6C-6C-6F*");

        string h5 = _folder.File("keras.h5");
        File.WriteAllBytes(h5, [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);
        FluentActions.Invoking(() => Sequential.Load(h5)).Should().Throw<ModelFileException>().WithMessage("*HDF5*");

        string empty = _folder.File("empty.rnnmodel");
        File.WriteAllBytes(empty, []);
        FluentActions
            .Invoking(() => Sequential.Load(empty))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*is empty*");

        string weights = _folder.File("only.rnnweights");
        TrainedModel().SaveWeights(weights);
        FluentActions
            .Invoking(() => Sequential.Load(weights))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*holds only weights*LoadWeights*");

        FluentActions
            .Invoking(() => Sequential.Load(_folder.File("missing.rnnmodel")))
            .Should()
            .Throw<FileNotFoundException>();
    }

    [Fact]
    public void A_newer_format_version_is_reported()
    {
        SavedModelFile(out var bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 7);
        string path = _folder.File("v7.rnnmodel");
        File.WriteAllBytes(path, bytes);
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*format version 7*reads version 1*");
    }

    [Fact]
    public void An_unbuildable_architecture_names_the_file_and_the_layer()
    {
        var model = TrainedModel();
        string json = model.ToJson().Replace("\"class_name\": \"Dense\"", "\"class_name\": \"Conv9D\"");
        string path = _folder.File("conv.rnnmodel");
        ModelFile.WriteAtomically(path, ModelFile.EncodeModel(json, model.NamedWeights()));
        FluentActions
            .Invoking(() => Sequential.Load(path))
            .Should()
            .Throw<ModelFileException>()
            .WithMessage("*conv.rnnmodel*cannot be rebuilt*layer 1 (Conv9D)*");
    }
}
