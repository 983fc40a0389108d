using System.Globalization;
using System.Numerics.Tensors;
using RnnNotebooks.Layers;

namespace RnnNotebooks.Training;

/// <summary>
/// The base of the Keras 2.x optimizers (docs/keras-semantics.md#optimizers). One <see cref="Step"/> is one
/// update: it reads every trainable <see cref="Parameter.Gradient"/>, clips the gradients the
/// Keras 2.x way, and updates <see cref="Parameter.Value"/> in place.
/// <para>
/// Gradient clipping, in this order (Keras 2.x <c>get_gradients</c>):
/// <list type="number">
/// <item><b>clipNorm = c</b>: one <i>global</i> norm over all gradients, G = √(Σ_all g²);
/// when G ≥ c every gradient is multiplied by (c / G).</item>
/// <item><b>clipValue = c</b>: every element clipped to [−c, c].</item>
/// </list>
/// The clipped gradients are used for the update only; <see cref="Parameter.Gradient"/> keeps the raw
/// gradient (so it can still be inspected after a step).
/// </para>
/// <para>
/// Learning-rate decay: lr_eff = lr · 1 / (1 + decay · iterations), iterations = updates done so far.
/// All arithmetic is float32 in Keras' operation order, so one step matches Keras to rounding.
/// </para>
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, ParameterState> _states = new(ReferenceEqualityComparer.Instance);
    private IReadOnlyList<Parameter>? _lastParameters;
    private Parameter[] _lastSeen = [];
    private List<(Parameter P, ParameterState S)> _lastTrainable = new();

    protected Optimizer(float learningRate, float decay, float? clipNorm, float? clipValue)
    {
        if (!(learningRate >= 0) || float.IsInfinity(learningRate))
            throw new ArgumentOutOfRangeException(
                nameof(learningRate),
                $"{GetType().Name}: the learning rate must be a finite number ≥ 0, got {learningRate}."
            );
        if (!(decay >= 0))
            throw new ArgumentOutOfRangeException(nameof(decay), $"{GetType().Name}: decay must be ≥ 0, got {decay}.");
        if (clipNorm is float n && !(n > 0))
            throw new ArgumentOutOfRangeException(
                nameof(clipNorm),
                $"{GetType().Name}: clipNorm must be > 0 (or null for no clipping), got {n}."
            );
        if (clipValue is float v && !(v > 0))
            throw new ArgumentOutOfRangeException(
                nameof(clipValue),
                $"{GetType().Name}: clipValue must be > 0 (or null for no clipping), got {v}."
            );
        LearningRate = learningRate;
        Decay = decay;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
    }

    /// <summary>Keras' class name: SGD, RMSprop, Adam.</summary>
    public abstract string Name { get; }

    /// <summary>The base learning rate (Keras' lr / learning_rate); may be changed between steps.</summary>
    public float LearningRate { get; set; }

    public float Decay { get; }

    public float? ClipNorm { get; }

    public float? ClipValue { get; }

    /// <summary>Number of updates done (Keras' optimizer.iterations).</summary>
    public long Iterations { get; private set; }

    /// <summary>The learning rate the next step uses: lr · 1/(1 + decay·iterations) (float32, as Keras).</summary>
    public float CurrentLearningRate =>
        Decay > 0 ? LearningRate * (1f / (1f + Decay * (float)Iterations)) : LearningRate;

    /// <summary>The global gradient norm G seen by the last step (before clipping); NaN before the first step.</summary>
    public float LastGradientNorm { get; private set; } = float.NaN;

    /// <summary>Applies one update to every trainable parameter from its <see cref="Parameter.Gradient"/>.</summary>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var trainable = Trainable(parameters);

        float scale = 1f;
        double squares = 0;
        foreach (var (p, _) in trainable)
        {
            var g = p.Gradient.Data;
            squares += TensorPrimitives.Dot(g, g);
        }
        LastGradientNorm = (float)Math.Sqrt(squares);
        if (ClipNorm is float c && LastGradientNorm >= c)
            scale = c / LastGradientNorm;

        float lr = CurrentLearningRate;
        foreach (var (p, state) in trainable)
        {
            ReadOnlySpan<float> g = p.Gradient.Data;
            if (state.Clipped is { } clipped)
            {
                if (ClipNorm is not null && scale != 1f)
                    TensorPrimitives.Multiply(g, scale, clipped);
                else
                    g.CopyTo(clipped);
                if (ClipValue is float cv)
                {
                    TensorPrimitives.Min(clipped, cv, clipped);
                    TensorPrimitives.Max(clipped, -cv, clipped);
                }
                g = clipped;
            }
            Update(p.Value.Data, g, lr, state.Slots);
        }
        Iterations++;
    }

    /// <summary>The trainable parameters with their state; reused while the same parameters are passed (every step of a Fit).</summary>
    private List<(Parameter P, ParameterState S)> Trainable(IReadOnlyList<Parameter> parameters)
    {
        if (ReferenceEquals(parameters, _lastParameters) && SameParameters(parameters))
            return _lastTrainable;
        var trainable = new List<(Parameter P, ParameterState S)>(parameters.Count);
        foreach (var p in parameters)
        {
            if (!p.Trainable)
                continue;
            if (!_states.TryGetValue(p, out var state))
            {
                state = new ParameterState(p.Size, SlotCount, ClipNorm is not null || ClipValue is not null);
                _states.Add(p, state);
            }
            trainable.Add((p, state));
        }
        (_lastParameters, _lastSeen, _lastTrainable) = (parameters, parameters.ToArray(), trainable);
        return trainable;
    }

    private bool SameParameters(IReadOnlyList<Parameter> parameters)
    {
        if (parameters.Count != _lastSeen.Length)
            return false;
        for (int i = 0; i < _lastSeen.Length; i++)
            if (!ReferenceEquals(parameters[i], _lastSeen[i]))
                return false;
        return true;
    }

    /// <summary>Forgets all slot variables (moments, accumulators) and sets iterations to 0.</summary>
    public void Reset()
    {
        _states.Clear();
        _lastParameters = null;
        Iterations = 0;
        LastGradientNorm = float.NaN;
    }

    /// <summary>Number of per-parameter slot arrays (momentum, m and v, …), each of the parameter's size, zero at start.</summary>
    protected abstract int SlotCount { get; }

    /// <summary>
    /// Updates one parameter in place with the (clipped) gradient and the decayed learning rate.
    /// During the call <see cref="Iterations"/> still counts the earlier updates (Adam's t = Iterations + 1).
    /// </summary>
    protected abstract void Update(Span<float> value, ReadOnlySpan<float> gradient, float lr, float[][] slots);

    /// <summary>The constructor arguments by Keras name, for saving (Keras' get_config()).</summary>
    public virtual IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?> { ["learning_rate"] = LearningRate, ["decay"] = Decay };
        if (ClipNorm is float n)
            config["clipnorm"] = n;
        if (ClipValue is float v)
            config["clipvalue"] = v;
        return config;
    }

    public override string ToString() =>
        $"{Name}({string.Join(", ", GetConfig().Select(kv => $"{kv.Key}={Format(kv.Value)}"))})";

    private static string Format(object? value) =>
        value switch
        {
            null => "None",
            bool b => b ? "True" : "False",
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

    /// <summary>An optimizer with Keras' defaults by name: "sgd", "rmsprop", "adam" (case-insensitive).</summary>
    public static Optimizer FromName(string name) =>
        name?.ToLowerInvariant() switch
        {
            "sgd" => new SGD(),
            "rmsprop" => new RMSprop(),
            "adam" => new Adam(),
            _ => throw new ArgumentException($"Unknown optimizer '{name}'. Known: sgd, rmsprop, adam."),
        };

    /// <summary>Rebuilds an optimizer from its class name and <see cref="GetConfig"/> (as saved in a model file).</summary>
    public static Optimizer FromConfig(string className, IReadOnlyDictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        float F(string key, float fallback) =>
            config.TryGetValue(key, out var v) && v is not null
                ? Convert.ToSingle(v, CultureInfo.InvariantCulture)
                : fallback;
        float? N(string key) =>
            config.TryGetValue(key, out var v) && v is not null
                ? Convert.ToSingle(v, CultureInfo.InvariantCulture)
                : null;
        bool B(string key) => config.TryGetValue(key, out var v) && v is true;
        float lr = F("learning_rate", F("lr", float.NaN));
        return className.ToLowerInvariant() switch
        {
            "sgd" => new SGD(
                float.IsNaN(lr) ? 0.01f : lr,
                F("momentum", 0f),
                B("nesterov"),
                F("decay", 0f),
                N("clipnorm"),
                N("clipvalue")
            ),
            "rmsprop" => new RMSprop(
                float.IsNaN(lr) ? 0.001f : lr,
                F("rho", 0.9f),
                F("epsilon", 1e-7f),
                F("decay", 0f),
                N("clipnorm"),
                N("clipvalue")
            ),
            "adam" => new Adam(
                float.IsNaN(lr) ? 0.001f : lr,
                F("beta_1", 0.9f),
                F("beta_2", 0.999f),
                F("epsilon", 1e-7f),
                B("amsgrad"),
                F("decay", 0f),
                N("clipnorm"),
                N("clipvalue")
            ),
            _ => throw new ArgumentException($"Unknown optimizer class '{className}'. Known: SGD, RMSprop, Adam."),
        };
    }

    private sealed class ParameterState
    {
        public ParameterState(int size, int slotCount, bool clips)
        {
            Slots = new float[slotCount][];
            for (int i = 0; i < slotCount; i++)
                Slots[i] = new float[size];
            Clipped = clips ? new float[size] : null;
        }

        public float[][] Slots { get; }

        /// <summary>Scratch for the clipped gradient (only when clipping is on).</summary>
        public float[]? Clipped { get; }
    }
}
