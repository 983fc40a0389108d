using System.Text.Json;
using RnnNotebooks.Serialization;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Models;

/// <summary>
/// Saving and loading (Keras' save / load_model, to_json / model_from_json, save_weights / load_weights). The
/// formats live in RnnNotebooks.Serialization (<see cref="ModelJson"/>, <see cref="ModelFile"/>,
/// Serialization/MODEL-FORMAT.md, docs/keras-semantics.md#model-config); these members only turn the model into
/// its saved architecture and back.
/// </summary>
public sealed partial class Sequential
{
    /// <summary>Identifies the JSON written by <see cref="ToJson"/>.</summary>
    public const string JsonFormatName = ModelJson.FormatName;

    /// <summary>
    /// The architecture as JSON, in the spirit of Keras' model.to_json() (layout: <see cref="ModelJson"/>):
    /// name, seed, input shape, each layer's <see cref="Layers.Layer.GetConfig"/>, the compile config and the
    /// names and shapes of the weights.
    /// </summary>
    public string ToJson()
    {
        if (!IsBuilt)
            throw new InvalidOperationException(
                $"Model '{Name}' is not built yet: give the first layer an input shape or call Build/Fit before saving."
            );
        return ModelJson.Write(Architecture(), NamedWeights());
    }

    /// <summary>
    /// A new model from <see cref="ToJson"/>'s JSON (Keras' model_from_json): same layers, names, seed
    /// and compile settings; weights freshly initialised from the seed.
    /// </summary>
    public static Sequential FromJson(string json) => FromArchitecture(ModelJson.Read(json, source: "JSON"));

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
            model = FromArchitecture(ModelJson.Read(json, source: "the architecture JSON"));
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
        SavedWeights.Assign(path, model.Name, model._layers, arrays);
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
        SavedWeights.Assign(path, Name, _layers, ModelFile.DecodeWeights(path, File.ReadAllBytes(path)));
    }

    /// <summary>
    /// Writes the weights as a PyTorch state_dict (torch.nn names and layouts: lstm_1.weight_ih_l0, …) in a
    /// safetensors file, atomically, for PyTorch and TorchSharp; see docs/pytorch-interop.md. Keras-only
    /// variants torch.nn cannot compute (hard_sigmoid gates, GRU reset_after=false) are refused with the reason.
    /// </summary>
    public void SavePyTorchWeights(string path) => PyTorchWeights.Export(_layers, path, Name);

    /// <summary>
    /// Loads a PyTorch-layout safetensors file (from <see cref="SavePyTorchWeights"/>, or a torch.nn
    /// state_dict with the same names) into this built model; nothing changes unless the whole file fits.
    /// </summary>
    public void LoadPyTorchWeights(string path) => PyTorchWeights.Import(_layers, path, Name);

    /// <summary>The weights under PyTorch's state_dict names and layouts, in layer order (copies).</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> PyTorchStateDict() => PyTorchWeights.StateDict(_layers, Name);

    /// <summary>Every weight with its Keras variable name, layer by layer: dense_1/kernel:0, dense_1/bias:0, …</summary>
    public IReadOnlyList<(string Name, Tensor Value)> NamedWeights() => SavedWeights.Named(_layers);

    private ModelArchitecture Architecture() =>
        new(
            Name,
            Seed,
            InputShape!,
            _layers,
            Optimizer is { } optimizer && Loss is { } loss
                ? new CompileConfig(optimizer.Name, optimizer.GetConfig(), loss.Name, _metricNames)
                : null
        );

    private static Sequential FromArchitecture(ModelArchitecture saved)
    {
        var model = new Sequential(saved.Layers, saved.Name, saved.Seed);
        if (!model.IsBuilt)
            model.Build(saved.InputShape);
        if (saved.Compile is { } compile)
            model.Compile(
                Training.Optimizer.FromConfig(compile.OptimizerClassName, compile.OptimizerConfig),
                compile.Loss,
                compile.Metrics
            );
        return model;
    }
}
