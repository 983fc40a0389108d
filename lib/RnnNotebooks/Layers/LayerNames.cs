using System.Text.RegularExpressions;

namespace RnnNotebooks.Layers;

/// <summary>How default layer names are numbered (docs/keras-semantics.md#default-layer-names).</summary>
public enum NamingStyle
{
    /// <summary>Keras 2.x: dense_1, dense_2, … (counters start at 1).</summary>
    Keras2,

    /// <summary>tf.keras: dense, dense_1, … (first instance has the bare prefix).</summary>
    TfKeras,
}

/// <summary>
/// Default layer names. As in Keras 2.x the counters live for the whole session: a second model
/// built in the same notebook continues at dense_2. <see cref="ClearSession"/> resets them
/// (Keras' K.clear_session()).
/// </summary>
public static partial class LayerNames
{
    private static readonly Dictionary<string, int> Counters = new();
    private static readonly object Gate = new();

    public static NamingStyle Style { get; set; } = NamingStyle.Keras2;

    public static void ClearSession()
    {
        lock (Gate)
            Counters.Clear();
    }

    /// <summary>The next default name for a class: SimpleRNN → simple_rnn_1.</summary>
    public static string Next(string className)
    {
        string prefix = ToSnakeCase(className);
        lock (Gate)
        {
            Counters.TryGetValue(prefix, out int seen);
            Counters[prefix] = seen + 1;
            return Style == NamingStyle.Keras2 ? $"{prefix}_{seen + 1}"
                : seen == 0 ? prefix
                : $"{prefix}_{seen}";
        }
    }

    /// <summary>Keras' snake_case of a class name: SimpleRNN → simple_rnn, CuDNNLSTM → cu_dnnlstm.</summary>
    public static string ToSnakeCase(string name)
    {
        string s = FirstPass().Replace(name, "$1_$2");
        s = SecondPass().Replace(s, "$1_$2");
        return s.ToLowerInvariant();
    }

    [GeneratedRegex("(.)([A-Z][a-z0-9]+)")]
    private static partial Regex FirstPass();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex SecondPass();
}
