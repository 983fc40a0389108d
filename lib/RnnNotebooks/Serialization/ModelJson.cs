using System.Globalization;
using System.Text;
using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Serialization;

/// <summary>
/// How a model was compiled, as saved (Keras' <c>compile_config</c>): the optimizer's class name and
/// <c>get_config()</c>, the loss name and the metric names. The optimizer itself is rebuilt by the model when it
/// loads (<c>Optimizer.FromConfig</c>), fresh, without its state.
/// </summary>
public sealed record CompileConfig(
    string OptimizerClassName,
    IReadOnlyDictionary<string, object?> OptimizerConfig,
    string Loss,
    string[]? Metrics
);

/// <summary>
/// A Sequential model's architecture as it is saved and loaded: name, seed, input shape, its layers (built from
/// their configs when read) and the compile config (null when not compiled). The model (RnnNotebooks.Models)
/// builds one from itself to save and builds itself from one to load, so this folder never needs the model type.
/// </summary>
public sealed record ModelArchitecture(
    string Name,
    ulong Seed,
    TensorShape InputShape,
    IReadOnlyList<Layer> Layers,
    CompileConfig? Compile
);

/// <summary>
/// The architecture JSON of <c>Sequential.ToJson</c> and of a model file (format: MODEL-FORMAT.md beside this file;
/// docs/keras-semantics.md#model-config), in the spirit of Keras' model.to_json():
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
public static class ModelJson
{
    /// <summary>The value of "format" that identifies this JSON.</summary>
    public const string FormatName = "RnnNotebooks.Sequential";

    /// <summary>The JSON of <paramref name="model"/>, whose weights are <paramref name="weights"/> (names and shapes are listed).</summary>
    public static string Write(ModelArchitecture model, IReadOnlyList<(string Name, Tensor Value)> weights)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("format_version", ModelFile.FormatVersion);
            w.WriteString("class_name", "Sequential");
            w.WriteStartObject("config");
            w.WriteString("name", model.Name);
            w.WriteNumber("seed", model.Seed);
            w.WritePropertyName("batch_input_shape");
            ConfigJson.WriteValue(w, model.InputShape.Dims, "batch_input_shape");
            w.WriteStartArray("layers");
            for (int i = 0; i < model.Layers.Count; i++)
            {
                var layer = model.Layers[i];
                var config = new Dictionary<string, object?>(layer.GetConfig());
                if (i == 0 && !config.ContainsKey("batch_input_shape"))
                    config["batch_input_shape"] = model.InputShape.Dims;
                w.WriteStartObject();
                w.WriteString("class_name", layer.TypeName);
                w.WritePropertyName("config");
                ConfigJson.WriteValue(w, config, $"layer '{layer.Name}' ({layer.TypeName}) config");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("compile_config");
            if (model.Compile is { } compile)
            {
                w.WriteStartObject();
                w.WriteStartObject("optimizer");
                w.WriteString("class_name", compile.OptimizerClassName);
                w.WritePropertyName("config");
                ConfigJson.WriteValue(w, compile.OptimizerConfig, "optimizer config");
                w.WriteEndObject();
                w.WriteString("loss", compile.Loss);
                w.WritePropertyName("metrics");
                ConfigJson.WriteValue(w, compile.Metrics, "metrics");
                w.WriteEndObject();
            }
            else
                w.WriteNullValue();
            w.WriteStartArray("weights");
            foreach (var (name, value) in weights)
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
    /// The architecture in <paramref name="json"/>: its layers rebuilt from their configs (fresh weights),
    /// its compile config as saved. <paramref name="source"/> names the JSON in error messages.
    /// </summary>
    /// <exception cref="InvalidDataException">Not this format, another format_version, or a part missing.</exception>
    public static ModelArchitecture Read(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (
            root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out var format)
            || format.GetString() != FormatName
        )
            throw new InvalidDataException(
                $"{source} is not an RnnNotebooks Sequential model (no \"format\": \"{FormatName}\")."
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
        CompileConfig? compileConfig = null;
        if (root.TryGetProperty("compile_config", out var compile) && compile.ValueKind == JsonValueKind.Object)
        {
            var optimizer = Required(compile, "optimizer", source);
            var optimizerConfig = ConfigJson.ReadObject(Required(optimizer, "config", source));
            var metrics =
                compile.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Array
                    ? m.EnumerateArray().Select(e => e.GetString()!).ToArray()
                    : null;
            compileConfig = new CompileConfig(
                Required(optimizer, "class_name", source).GetString()!,
                optimizerConfig,
                Required(compile, "loss", source).GetString()!,
                metrics
            );
        }
        return new ModelArchitecture(name, seed, inputShape, layers, compileConfig);
    }

    private static JsonElement Required(JsonElement element, string property, string source) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value
            : throw new InvalidDataException($"{source} lacks \"{property}\".");
}

/// <summary>A model's weights in a saved file: their Keras names, and setting saved arrays into layers.</summary>
public static class SavedWeights
{
    /// <summary>Every weight with its Keras variable name, layer by layer: dense_1/kernel:0, dense_1/bias:0, …</summary>
    public static IReadOnlyList<(string Name, Tensor Value)> Named(IEnumerable<Layer> layers) =>
        layers.SelectMany(l => l.Parameters.Select(p => ($"{l.Name}/{p.Name}:0", p.Value))).ToList();

    /// <summary>
    /// Copies <paramref name="arrays"/> (read from <paramref name="path"/>) into the parameters of
    /// <paramref name="layers"/>, in order, after checking that their number and every shape match; nothing is
    /// changed when they do not.
    /// </summary>
    /// <exception cref="ModelFileException">The file does not fit model <paramref name="modelName"/>.</exception>
    public static void Assign(string path, string modelName, IReadOnlyList<Layer> layers, List<SavedArray> arrays)
    {
        var targets = layers.SelectMany(l => l.Parameters.Select(p => (Layer: l, Parameter: p))).ToList();
        if (arrays.Count != targets.Count)
            throw new ModelFileException(
                path,
                $"does not fit model '{modelName}': it holds {arrays.Count} weight arrays "
                    + $"({string.Join(", ", arrays.Select(a => a.Name))}) but the model has {targets.Count} "
                    + $"({string.Join(", ", targets.Select(t => $"{t.Layer.Name}/{t.Parameter.Name}"))})."
            );
        for (int i = 0; i < arrays.Count; i++)
        {
            var (layer, parameter) = targets[i];
            if (!parameter.Value.HasShape(arrays[i].Shape))
                throw new ModelFileException(
                    path,
                    $"does not fit model '{modelName}': array {i + 1} '{arrays[i].Name}' has shape "
                        + $"{Tensor.ShapeToString(arrays[i].Shape)} but layer '{layer.Name}' ({layer.TypeName}) "
                        + $"needs {parameter.Name} of shape {Tensor.ShapeToString(parameter.Shape)}."
                );
        }
        for (int i = 0; i < arrays.Count; i++)
            arrays[i].Data.CopyTo(targets[i].Parameter.Value.Data, 0);
    }
}
