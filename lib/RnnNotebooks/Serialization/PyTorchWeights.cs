using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Serialization;

/// <summary>A model whose weights cannot be exported to, or imported from, PyTorch's layout; the message names the layer.</summary>
public sealed class PyTorchWeightsException : Exception
{
    public PyTorchWeightsException(string message)
        : base(message) { }
}

/// <summary>
/// A model's weights in PyTorch's names and layouts (a torch.nn state_dict), saved as safetensors,
/// so that PyTorch (<c>safetensors.torch.load_file</c>) and TorchSharp (TorchSharp.PyBridge) can
/// load them. See docs/pytorch-interop.md and docs/keras-semantics.md#pytorch-layout. Models call it
/// through <c>model.SavePyTorchWeights</c>, <c>LoadPyTorchWeights</c> and <c>PyTorchStateDict</c>; it takes the
/// layers, not the model, because serialization sits below Models (lib/RnnNotebooks/README.md).
/// <para>For a layer named <c>n</c> (x·W + h·U + b in our row-vector notation, PyTorch's W_ih·x + W_hh·h + b_ih + b_hh):</para>
/// <list type="bullet">
/// <item>SimpleRNN / LSTM / GRU → nn.RNN / nn.LSTM / nn.GRU (batch_first): <c>n.weight_ih_l0</c> = Wᵀ (G·u, I),
/// <c>n.weight_hh_l0</c> = Uᵀ (G·u, u), <c>n.bias_ih_l0</c>, <c>n.bias_hh_l0</c> (G·u). LSTM's gate blocks are
/// i, f, c, o in both; GRU's Keras blocks z, r, h become PyTorch's r, z, n. Keras has one bias for
/// SimpleRNN and LSTM: it is exported as bias_ih, with bias_hh zeros; import adds the two.
/// GRU (reset_after = true only) maps its bias rows [input; recurrent] to bias_ih and bias_hh.</item>
/// <item>Bidirectional(n) → one bidirectional module: the backward layer's tensors end in <c>_reverse</c>.</item>
/// <item>Embedding → <c>n.weight</c> (V, d) as it is; Dense → nn.Linear: <c>n.weight</c> = kernelᵀ (out, in), <c>n.bias</c>.</item>
/// <item>Layers without weights (Dropout, Flatten, Activation) have no tensors.</item>
/// </list>
/// What torch.nn's modules cannot compute is refused with the layer's name and the reason:
/// hard_sigmoid or other recurrent activations, LSTM/GRU activations other than tanh, SimpleRNN
/// activations other than tanh/relu, and GRU reset_after = false. <c>__metadata__</c> carries each
/// layer's Keras class, config and PyTorch module arguments (<see cref="LayersMetadataKey"/>), which
/// import compares with the model it loads into.
/// </summary>
public static class PyTorchWeights
{
    /// <summary>The <c>__metadata__</c> key holding the JSON list of layers ({name, class_name, torch, config}).</summary>
    public const string LayersMetadataKey = "rnnnotebooks.layers";

    /// <summary>Suffix PyTorch gives the reverse direction of a bidirectional module.</summary>
    private const string ReverseSuffix = "_reverse";

    /// <summary>Writes the model's weights as a PyTorch state_dict in a safetensors file (atomically).</summary>
    public static void Export(IReadOnlyList<Layer> layers, string path, string modelName = "model")
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var tensors = StateDict(layers, modelName);
        var metadata = new Dictionary<string, string>
        {
            // What safetensors.torch.save_file writes; some loaders look for it.
            ["format"] = "pt",
            [LayersMetadataKey] = LayersJson(layers),
        };
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Loads a PyTorch-layout safetensors file (from <see cref="Export"/>, or a torch.nn state_dict
    /// with the same names) into <paramref name="layers"/> (a model's layers), which must be built with the same
    /// architecture. Every tensor must be present with the expected shape and no other tensor may be
    /// in the file; when the file has our metadata, each layer's class and PyTorch arguments must
    /// match too. Nothing is changed unless the whole file fits.
    /// </summary>
    public static void Import(IReadOnlyList<Layer> layers, string path, string modelName = "model")
    {
        ArgumentNullException.ThrowIfNull(layers);
        var file = SafeTensorsFile.Read(path);
        if (!IsBuilt(layers))
            throw new PyTorchWeightsException(
                $"Model '{modelName}' is not built, so it has no weights to load '{path}' into: give its first layer an input shape or call Build first."
            );
        var expected = StateDict(layers, modelName);
        CheckArchitecture(layers, modelName, file);
        var problems = new List<string>();
        foreach (var (name, tensor) in expected)
        {
            if (!file.Contains(name))
                problems.Add($"missing tensor '{name}' {Tensor.ShapeToString(tensor.Shape)}");
            else if (!file[name].HasShape(tensor.Shape))
                problems.Add(
                    $"tensor '{name}' has shape {Tensor.ShapeToString(file[name].Shape)}, expected {Tensor.ShapeToString(tensor.Shape)}"
                );
        }
        var known = expected.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(file.Names.Where(n => !known.Contains(n)).Select(n => $"unexpected tensor '{n}'"));
        if (problems.Count > 0)
            throw new PyTorchWeightsException(
                $"'{path}' does not fit model '{modelName}': {string.Join("; ", problems)}."
            );
        foreach (var layer in layers)
            LoadLayer(layer, file);
    }

    /// <summary>The model's weights under PyTorch's state_dict names, in layer order (copies).</summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> StateDict(
        IReadOnlyList<Layer> layers,
        string modelName = "model"
    )
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (!IsBuilt(layers))
            throw new PyTorchWeightsException(
                $"Model '{modelName}' is not built yet, so it has no weights: give its first layer an input shape or call Build first."
            );
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case Embedding embedding:
                    tensors.Add(new(embedding.Name + ".weight", embedding.Embeddings.Value.Clone()));
                    break;
                case Dense dense:
                    tensors.Add(new(dense.Name + ".weight", Transpose(dense.Kernel.Value)));
                    if (dense.Bias is { } bias)
                        tensors.Add(new(dense.Name + ".bias", bias.Value.Clone()));
                    break;
                case RecurrentLayer recurrent:
                    AddRecurrent(tensors, recurrent.Name, "", recurrent);
                    break;
                case Bidirectional bidirectional:
                    CheckBidirectional(bidirectional);
                    AddRecurrent(tensors, bidirectional.Name, "", bidirectional.ForwardLayer);
                    AddRecurrent(tensors, bidirectional.Name, ReverseSuffix, bidirectional.BackwardLayer);
                    break;
                case { ParameterCount: 0 }:
                    break;
                default:
                    throw new PyTorchWeightsException(
                        $"Layer '{layer.Name}' ({layer.TypeName}) has weights but no PyTorch mapping (supported: Embedding, Dense, SimpleRNN, LSTM, GRU, Bidirectional)."
                    );
            }
        }
        return tensors;
    }

    /// <summary>
    /// The torch.nn module a layer maps to and its arguments (module, sizes, bias, nonlinearity) plus
    /// what Keras does around it (return_sequences, go_backwards, merge_mode, activation after a
    /// Linear); null for a layer without weights.
    /// </summary>
    public static IReadOnlyDictionary<string, object?>? TorchModule(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        switch (layer)
        {
            case Embedding embedding:
                return new Dictionary<string, object?>
                {
                    ["module"] = "Embedding",
                    ["num_embeddings"] = embedding.InputDim,
                    ["embedding_dim"] = embedding.OutputDim,
                };
            case Dense dense:
                return new Dictionary<string, object?>
                {
                    ["module"] = "Linear",
                    ["in_features"] = dense.Kernel.Shape[0],
                    ["out_features"] = dense.Units,
                    ["bias"] = dense.Bias is not null,
                    ["activation"] = Options(dense).String("activation", "linear"),
                };
            case RecurrentLayer recurrent:
                CheckExpressible(recurrent, recurrent.Name);
                return RecurrentModule(recurrent, bidirectional: false, mergeMode: null);
            case Bidirectional bidirectional:
                CheckBidirectional(bidirectional);
                return RecurrentModule(bidirectional.ForwardLayer, bidirectional: true, bidirectional.MergeMode);
            default:
                return null;
        }
    }

    private static Dictionary<string, object?> RecurrentModule(
        RecurrentLayer layer,
        bool bidirectional,
        string? mergeMode
    )
    {
        var options = Options(layer);
        var module = new Dictionary<string, object?>
        {
            ["module"] = layer.TypeName == "SimpleRNN" ? "RNN" : layer.TypeName,
            ["input_size"] = layer.Kernel.Shape[0],
            ["hidden_size"] = layer.Units,
            ["num_layers"] = 1,
            ["bias"] = layer.Bias is not null,
            ["batch_first"] = true,
            ["bidirectional"] = bidirectional,
        };
        if (layer.TypeName == "SimpleRNN")
            module["nonlinearity"] = options.String("activation", "tanh");
        module["return_sequences"] = layer.ReturnSequences;
        module["go_backwards"] = layer.GoBackwards;
        if (bidirectional)
            module["merge_mode"] = mergeMode;
        return module;
    }

    private static LayerConfig Options(Layer layer) => new(layer.TypeName, layer.GetConfig());

    /// <summary>Refuses what torch.nn.RNN/LSTM/GRU cannot compute, naming the layer (<paramref name="shownName"/>) and the reason.</summary>
    private static void CheckExpressible(RecurrentLayer layer, string shownName)
    {
        var options = Options(layer);
        string activation = options.String("activation", "tanh");
        void Refuse(string reason) =>
            throw new PyTorchWeightsException(
                $"Layer '{shownName}' ({layer.TypeName}) cannot be expressed by torch.nn.{(layer.TypeName == "SimpleRNN" ? "RNN" : layer.TypeName)}: {reason} (see docs/pytorch-interop.md)."
            );
        switch (layer.TypeName)
        {
            case "SimpleRNN":
                if (activation is not ("tanh" or "relu"))
                    Refuse($"activation '{activation}' (nn.RNN's nonlinearity is tanh or relu)");
                break;
            case "LSTM":
            case "GRU":
                string recurrentActivation = options.String("recurrent_activation", "hard_sigmoid");
                if (recurrentActivation != "sigmoid")
                    Refuse($"recurrent_activation '{recurrentActivation}' (PyTorch's gates use the logistic sigmoid)");
                if (activation != "tanh")
                    Refuse($"activation '{activation}' (PyTorch uses tanh)");
                if (layer.TypeName == "GRU" && !options.Bool("reset_after", false))
                    Refuse(
                        "reset_after = false applies the reset gate before the recurrent kernel, (r ⊙ h)·U; PyTorch's GRU is reset_after = true, r ⊙ (h·U + b)"
                    );
                break;
            default:
                Refuse("no PyTorch mapping for this layer class");
                break;
        }
    }

    private static void CheckBidirectional(Bidirectional bidirectional)
    {
        CheckExpressible(bidirectional.ForwardLayer, bidirectional.Name);
        if (bidirectional.ForwardLayer.GoBackwards)
            throw new PyTorchWeightsException(
                $"Layer '{bidirectional.Name}' (Bidirectional) wraps a go_backwards layer, whose 'forward' direction reads backwards; a PyTorch bidirectional module cannot express that swap."
            );
    }

    /// <summary>One direction's four tensors (two without bias) under <paramref name="module"/>.</summary>
    private static void AddRecurrent(
        List<KeyValuePair<string, Tensor>> tensors,
        string module,
        string suffix,
        RecurrentLayer layer
    )
    {
        CheckExpressible(layer, module);
        bool gru = layer.TypeName == "GRU";
        tensors.Add(new($"{module}.weight_ih_l0{suffix}", GateBlocks(Transpose(layer.Kernel.Value), gru)));
        tensors.Add(new($"{module}.weight_hh_l0{suffix}", GateBlocks(Transpose(layer.RecurrentKernel.Value), gru)));
        if (layer.Bias is not { } bias)
            return;
        if (gru)
        {
            // reset_after: bias (2, 3u) = [input bias; recurrent bias], PyTorch's b_ih and b_hh.
            int width = bias.Shape[1];
            tensors.Add(new($"{module}.bias_ih_l0{suffix}", GateBlocks(Row(bias.Value, 0, width), gru)));
            tensors.Add(new($"{module}.bias_hh_l0{suffix}", GateBlocks(Row(bias.Value, 1, width), gru)));
        }
        else
        {
            // Keras has one bias b; PyTorch adds b_ih + b_hh. b_hh = 0 keeps the sum exactly b.
            tensors.Add(new($"{module}.bias_ih_l0{suffix}", bias.Value.Clone()));
            tensors.Add(new($"{module}.bias_hh_l0{suffix}", new Tensor(bias.Shape)));
        }
    }

    private static void LoadLayer(Layer layer, SafeTensorsFile file)
    {
        switch (layer)
        {
            case Embedding embedding:
                Assign(embedding.Embeddings, file[embedding.Name + ".weight"]);
                break;
            case Dense dense:
                Assign(dense.Kernel, Transpose(file[dense.Name + ".weight"]));
                if (dense.Bias is { } bias)
                    Assign(bias, file[dense.Name + ".bias"]);
                break;
            case RecurrentLayer recurrent:
                LoadRecurrent(recurrent, recurrent.Name, "", file);
                break;
            case Bidirectional bidirectional:
                LoadRecurrent(bidirectional.ForwardLayer, bidirectional.Name, "", file);
                LoadRecurrent(bidirectional.BackwardLayer, bidirectional.Name, ReverseSuffix, file);
                break;
        }
    }

    private static void LoadRecurrent(RecurrentLayer layer, string module, string suffix, SafeTensorsFile file)
    {
        bool gru = layer.TypeName == "GRU";
        // GateBlocks swaps the first two blocks for GRU, so it is its own inverse.
        Assign(layer.Kernel, Transpose(GateBlocks(file[$"{module}.weight_ih_l0{suffix}"], gru)));
        Assign(layer.RecurrentKernel, Transpose(GateBlocks(file[$"{module}.weight_hh_l0{suffix}"], gru)));
        if (layer.Bias is not { } bias)
            return;
        var inputBias = file[$"{module}.bias_ih_l0{suffix}"];
        var recurrentBias = file[$"{module}.bias_hh_l0{suffix}"];
        if (gru)
        {
            int width = inputBias.Size;
            GateBlocks(inputBias, gru).Data.CopyTo(bias.Value.Data, 0);
            GateBlocks(recurrentBias, gru).Data.CopyTo(bias.Value.Data, width);
        }
        else
        {
            var sum = new float[inputBias.Size];
            for (int i = 0; i < sum.Length; i++)
                sum[i] = inputBias.Data[i] + recurrentBias.Data[i];
            Assign(bias, new Tensor(sum, bias.Shape));
        }
    }

    private static bool IsBuilt(IReadOnlyList<Layer> layers) => layers.Count > 0 && layers.All(l => l.IsBuilt);

    private static void Assign(Parameter parameter, Tensor value) => value.Data.CopyTo(parameter.Value.Data, 0);

    /// <summary>
    /// Checks the file's layer list (when it has one) against the model: every layer with weights must
    /// be there under the same name, with the same Keras class and the same PyTorch module arguments.
    /// </summary>
    private static void CheckArchitecture(IReadOnlyList<Layer> layers, string modelName, SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue(LayersMetadataKey, out string? json))
            return;
        Dictionary<string, (string ClassName, string Torch)> described;
        try
        {
            using var document = JsonDocument.Parse(json);
            described = document
                .RootElement.EnumerateArray()
                .ToDictionary(
                    e => e.GetProperty("name").GetString()!,
                    e => (e.GetProperty("class_name").GetString()!, e.GetProperty("torch").GetRawText())
                );
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new SafeTensorsException(
                file.FilePath,
                $"has a '{LayersMetadataKey}' entry that is not our layer list: {e.Message}",
                e
            );
        }
        foreach (var layer in layers)
        {
            if (TorchModule(layer) is not { } torch)
                continue;
            if (!described.TryGetValue(layer.Name, out var entry))
                throw new PyTorchWeightsException(
                    $"'{file.FilePath}' describes no layer '{layer.Name}' ({layer.TypeName}) of model '{modelName}' (it has {string.Join(", ", described.Keys)})."
                );
            if (entry.ClassName != layer.TypeName)
                throw new PyTorchWeightsException(
                    $"'{file.FilePath}' has layer '{layer.Name}' as a {entry.ClassName}, but model '{modelName}' has a {layer.TypeName}."
                );
            string ours = ToJson(writer => ConfigJson.WriteValue(writer, torch, layer.Name));
            if (!SameArguments(torch, entry.Torch))
                throw new PyTorchWeightsException(
                    $"'{file.FilePath}' has layer '{layer.Name}' ({layer.TypeName}) as {entry.Torch}, but model '{modelName}' has {ours}."
                );
        }
    }

    /// <summary>Whether the file's module arguments (JSON) are ours: the same keys with the same JSON values.</summary>
    private static bool SameArguments(IReadOnlyDictionary<string, object?> ours, string theirsJson)
    {
        using var left = JsonDocument.Parse(ToJson(writer => ConfigJson.WriteValue(writer, ours, "torch")));
        using var right = JsonDocument.Parse(theirsJson);
        if (right.RootElement.ValueKind != JsonValueKind.Object)
            return false;
        var theirs = right.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
        var mine = left.RootElement.EnumerateObject().ToList();
        return theirs.Count == mine.Count
            && mine.All(p => theirs.TryGetValue(p.Name, out var raw) && raw == p.Value.GetRawText());
    }

    private static string ToJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
            write(writer);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// [{name, class_name, torch, config}] for every layer, as JSON; torch is null for layers without
    /// weights (Dropout, Flatten, Activation), which a loader rebuilds from class_name and config.
    /// </summary>
    private static string LayersJson(IReadOnlyList<Layer> layers) =>
        ToJson(writer =>
        {
            writer.WriteStartArray();
            foreach (var layer in layers)
            {
                writer.WriteStartObject();
                writer.WriteString("name", layer.Name);
                writer.WriteString("class_name", layer.TypeName);
                writer.WritePropertyName("torch");
                ConfigJson.WriteValue(writer, TorchModule(layer), layer.Name);
                writer.WritePropertyName("config");
                ConfigJson.WriteValue(writer, layer.GetConfig(), layer.Name);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });

    /// <summary>A (rows, cols) matrix transposed.</summary>
    private static Tensor Transpose(Tensor matrix)
    {
        int rows = matrix.Shape[0],
            cols = matrix.Shape[1];
        var result = new Tensor(cols, rows);
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            result.Data[c * rows + r] = matrix.Data[r * cols + c];
        return result;
    }

    private static Tensor Row(Tensor matrix, int row, int width) =>
        new(matrix.Data.AsSpan(row * width, width).ToArray(), width);

    /// <summary>
    /// GRU: swaps the first two of three gate blocks along axis 0 (Keras z, r, h ↔ PyTorch r, z, n);
    /// a copy otherwise (LSTM's i, f, c, o is PyTorch's i, f, g, o).
    /// </summary>
    private static Tensor GateBlocks(Tensor tensor, bool gru)
    {
        var result = tensor.Clone();
        if (!gru)
            return result;
        int block = tensor.Size / 3;
        tensor.Data.AsSpan(0, block).CopyTo(result.Data.AsSpan(block, block));
        tensor.Data.AsSpan(block, block).CopyTo(result.Data.AsSpan(0, block));
        return result;
    }
}
