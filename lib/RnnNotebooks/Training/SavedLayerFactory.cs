using System.Globalization;
using RnnNotebooks.Layers;

namespace RnnNotebooks.Training;

/// <summary>
/// Rebuilds a layer from its class name and saved config when a model file is loaded.
/// MERGE: this stand-in knows only Dense; the layers branch provides
/// <c>LayerFactory.FromConfig(className, config)</c> for every layer. At merge, make
/// <see cref="Create"/> call it (one line) and delete the Dense code below.
/// </summary>
internal static class SavedLayerFactory
{
    public static Layer Create(string className, IReadOnlyDictionary<string, object?> config) =>
        className switch
        {
            "Dense" => new Dense(
                Int(config, "units"),
                Str(config, "activation"),
                config.TryGetValue("use_bias", out var useBias) ? useBias is true : true,
                Str(config, "kernel_initializer") ?? "glorot_uniform",
                Str(config, "bias_initializer") ?? "zeros",
                Str(config, "name"),
                InputShape(config),
                BatchSize(config)
            ),
            _ => throw new NotSupportedException(
                $"Layer class '{className}' cannot be rebuilt from a saved config yet (only Dense in this build)."
            ),
        };

    private static int Int(IReadOnlyDictionary<string, object?> config, string key) =>
        config.TryGetValue(key, out var v) && v is not null
            ? Convert.ToInt32(v, CultureInfo.InvariantCulture)
            : throw new ArgumentException($"The saved config has no '{key}'.");

    private static string? Str(IReadOnlyDictionary<string, object?> config, string key) =>
        config.TryGetValue(key, out var v) ? v as string : null;

    private static int?[]? InputShape(IReadOnlyDictionary<string, object?> config) =>
        config.TryGetValue("batch_input_shape", out var v) && v is object?[] dims
            ? dims.Skip(1)
                .Select(d => d is null ? (int?)null : Convert.ToInt32(d, CultureInfo.InvariantCulture))
                .ToArray()
            : null;

    private static int? BatchSize(IReadOnlyDictionary<string, object?> config) =>
        config.TryGetValue("batch_input_shape", out var v) && v is object?[] { Length: > 0 } dims && dims[0] is not null
            ? Convert.ToInt32(dims[0], CultureInfo.InvariantCulture)
            : null;
}
