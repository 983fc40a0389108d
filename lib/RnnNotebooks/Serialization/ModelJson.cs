using System.Globalization;
using System.Text;
using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Models;

/// <summary>Saving and loading (architecture JSON + binary weights; format in <see cref="ModelFile"/> and lib/RnnNotebooks/Models/MODEL-FORMAT.md).</summary>
public sealed partial class Sequential
{
    /// <summary>Identifies the JSON written by <see cref="ToJson"/>.</summary>
    public const string JsonFormatName = "RnnNotebooks.Sequential";

    /// <summary>
    /// The architecture as JSON, in the spirit of Keras' model.to_json():
    /// <code>
    /// { "format": "RnnNotebooks.Sequential", "format_version": 1, "class_name": "Sequential",
    ///   "config": { "name": "sequential_1", "seed": 0, "batch_input_shape": [null, 2, 1],
    ///               "layers": [ { "class_name": "Dense", "config": { "name": "dense_1", "units": 5, … } } ] },
    ///   "compile_config": { "optimizer": { "class_name": "Adam", "config": { … } },
    ///                       "loss": "categorical_crossentropy", "metrics": ["acc"] },   // null when not compiled
    ///   "weights": [ { "name": "dense_1/kernel:0", "shape": [1, 5] }, … ] }
    /// </code>
    /// Each layer's config is its <see cref="Layer.GetConfig"/>; the first layer's also carries
    /// <c>batch_input_shape</c>, as in Keras. The "weights" list documents the arrays of a saved file.
    /// </summary>
    public string ToJson()
    {
        if (!IsBuilt)
            throw new InvalidOperationException(
                $"Model '{Name}' is not built yet: give the first layer an input shape or call Build/Fit before saving."
            );
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", JsonFormatName);
            w.WriteNumber("format_version", ModelFile.FormatVersion);
            w.WriteString("class_name", "Sequential");
            w.WriteStartObject("config");
            w.WriteString("name", Name);
            w.WriteNumber("seed", Seed);
            w.WritePropertyName("batch_input_shape");
            ConfigJson.WriteValue(w, InputShape!.Dims, "batch_input_shape");
            w.WriteStartArray("layers");
            for (int i = 0; i < _layers.Count; i++)
            {
                var layer = _layers[i];
                var config = new Dictionary<string, object?>(layer.GetConfig());
                if (i == 0 && !config.ContainsKey("batch_input_shape"))
                    config["batch_input_shape"] = InputShape!.Dims;
                w.WriteStartObject();
                w.WriteString("class_name", layer.TypeName);
                w.WritePropertyName("config");
                ConfigJson.WriteValue(w, config, $"layer '{layer.Name}' ({layer.TypeName}) config");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("compile_config");
            if (Optimizer is { } optimizer && Loss is { } loss)
            {
                w.WriteStartObject();
                w.WriteStartObject("optimizer");
                w.WriteString("class_name", optimizer.Name);
                w.WritePropertyName("config");
                ConfigJson.WriteValue(w, optimizer.GetConfig(), "optimizer config");
                w.WriteEndObject();
                w.WriteString("loss", loss.Name);
                w.WritePropertyName("metrics");
                ConfigJson.WriteValue(w, _metricNames, "metrics");
                w.WriteEndObject();
            }
            else
                w.WriteNullValue();
            w.WriteStartArray("weights");
            foreach (var (name, value) in NamedWeights())
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WritePropertyName("shape");
                ConfigJson.WriteValue(w, value.Shape, "shape");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A new model from <see cref="ToJson"/>'s JSON (Keras' model_from_json): same layers, names, seed
    /// and compile settings; weights freshly initialised from the seed.
    /// </summary>
    public static Sequential FromJson(string json) => FromJsonCore(json, source: "JSON");

    /// <summary>
    /// Saves the architecture (JSON), the compile config and the weights to one file, atomically
    /// (format: <see cref="ModelFile"/>). The optimizer's state (moments, iterations) is not saved.
    /// </summary>
    public void Save(string path)
    {
        string json = ToJson();
        ModelFile.WriteAtomically(path, ModelFile.EncodeModel(json, NamedWeights()));
    }

    /// <summary>
    /// Loads a model written by <see cref="Save"/>; it predicts exactly as the saved one did and is
    /// compiled again when the saved one was (with a fresh optimizer).
    /// Throws <see cref="ModelFileException"/> naming the file and the problem.
    /// </summary>
    public static Sequential Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = File.ReadAllBytes(path);
        var (json, arrays) = ModelFile.DecodeModel(path, bytes);
        Sequential model;
        try
        {
            model = FromJsonCore(json, source: "the architecture JSON");
        }
        catch (Exception e)
            when (e
                    is JsonException
                        or ArgumentException
                        or NotSupportedException
                        or InvalidDataException
                        or InvalidOperationException
                        or FormatException
                        or InvalidCastException
                        or KeyNotFoundException
            )
        {
            throw new ModelFileException(path, $"has an architecture that cannot be rebuilt: {e.Message}", e);
        }
        model.SetSavedWeights(path, arrays);
        return model;
    }

    /// <summary>Saves only the weights (Keras' save_weights), atomically; format: <see cref="ModelFile"/>.</summary>
    public void SaveWeights(string path)
    {
        if (!IsBuilt)
            throw new InvalidOperationException($"Model '{Name}' is not built yet: it has no weights to save.");
        ModelFile.WriteAtomically(path, ModelFile.EncodeWeights(NamedWeights()));
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/> or <see cref="Save"/> into this model, in order
    /// (Keras' load_weights): the number of arrays and every shape must match.
    /// </summary>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!IsBuilt)
            throw new InvalidOperationException(
                $"Model '{Name}' is not built yet: give the first layer an input shape or call Build before LoadWeights."
            );
        SetSavedWeights(path, ModelFile.DecodeWeights(path, File.ReadAllBytes(path)));
    }

    /// <summary>Every weight with its Keras variable name, layer by layer: dense_1/kernel:0, dense_1/bias:0, …</summary>
    public IReadOnlyList<(string Name, Tensor Value)> NamedWeights() =>
        _layers.SelectMany(l => l.Parameters.Select(p => ($"{l.Name}/{p.Name}:0", p.Value))).ToList();

    private void SetSavedWeights(string path, List<SavedArray> arrays)
    {
        var targets = _layers.SelectMany(l => l.Parameters.Select(p => (Layer: l, Parameter: p))).ToList();
        if (arrays.Count != targets.Count)
            throw new ModelFileException(
                path,
                $"does not fit model '{Name}': it holds {arrays.Count} weight arrays "
                    + $"({string.Join(", ", arrays.Select(a => a.Name))}) but the model has {targets.Count} "
                    + $"({string.Join(", ", targets.Select(t => $"{t.Layer.Name}/{t.Parameter.Name}"))})."
            );
        for (int i = 0; i < arrays.Count; i++)
        {
            var (layer, parameter) = targets[i];
            if (!parameter.Value.HasShape(arrays[i].Shape))
                throw new ModelFileException(
                    path,
                    $"does not fit model '{Name}': array {i + 1} '{arrays[i].Name}' has shape "
                        + $"{Tensor.ShapeToString(arrays[i].Shape)} but layer '{layer.Name}' ({layer.TypeName}) "
                        + $"needs {parameter.Name} of shape {Tensor.ShapeToString(parameter.Shape)}."
                );
        }
        for (int i = 0; i < arrays.Count; i++)
            arrays[i].Data.CopyTo(targets[i].Parameter.Value.Data, 0);
    }

    private static Sequential FromJsonCore(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (
            root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format)
            || format.GetString() != JsonFormatName
        )
            throw new InvalidDataException(
                $"{source} is not an RnnNotebooks Sequential model (no \"format\": \"{JsonFormatName}\")."
            );
        if (root.TryGetProperty("format_version", out var version) && version.GetInt32() != ModelFile.FormatVersion)
            throw new InvalidDataException(
                $"{source} has format_version {version.GetInt32()}; this library reads {ModelFile.FormatVersion}."
            );
        var config = Required(root, "config", source);
        string name = Required(config, "name", source).GetString()!;
        ulong seed = Required(config, "seed", source).GetUInt64();
        var inputDims =
            ConfigJson.ReadValue(Required(config, "batch_input_shape", source)) as object?[]
            ?? throw new InvalidDataException($"{source}: batch_input_shape is not an array.");
        var inputShape = new TensorShape(
            inputDims.Select(d => d is null ? (int?)null : Convert.ToInt32(d, CultureInfo.InvariantCulture)).ToArray()
        );
        var layers = new List<Layer>();
        int index = 0;
        foreach (var entry in Required(config, "layers", source).EnumerateArray())
        {
            string className = Required(entry, "class_name", source).GetString()!;
            var layerConfig = ConfigJson.ReadObject(Required(entry, "config", source));
            try
            {
                layers.Add(LayerFactory.FromConfig(className, layerConfig));
            }
            catch (Exception e)
                when (e is ArgumentException or NotSupportedException or InvalidCastException or FormatException)
            {
                throw new InvalidDataException($"layer {index + 1} ({className}): {e.Message}", e);
            }
            index++;
        }
        if (layers.Count == 0)
            throw new InvalidDataException($"{source} has no layers.");
        var model = new Sequential(layers, name, seed);
        if (!model.IsBuilt)
            model.Build(inputShape);
        if (root.TryGetProperty("compile_config", out var compile) && compile.ValueKind == JsonValueKind.Object)
        {
            var optimizer = Required(compile, "optimizer", source);
            var optimizerConfig = ConfigJson.ReadObject(Required(optimizer, "config", source));
            var metrics =
                compile.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Array
                    ? m.EnumerateArray().Select(e => e.GetString()!).ToArray()
                    : null;
            model.Compile(
                Training.Optimizer.FromConfig(Required(optimizer, "class_name", source).GetString()!, optimizerConfig),
                Required(compile, "loss", source).GetString()!,
                metrics
            );
        }
        return model;
    }

    private static JsonElement Required(JsonElement element, string property, string source) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value
            : throw new InvalidDataException($"{source} lacks \"{property}\".");
}
