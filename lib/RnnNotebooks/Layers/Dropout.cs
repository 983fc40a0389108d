using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Dropout, inverted: in training each value is kept with probability 1 − rate and scaled
/// by 1/(1 − rate), otherwise zeroed, so <c>y = x ⊙ m</c> with <c>m ∈ {0, 1/(1 − rate)}</c> and
/// E[y] = x. At inference (training: false) it is the identity. No parameters.
/// <para>
/// A fresh mask is drawn for every training forward pass, value by value in row-major order, from
/// the layer's own stream: <see cref="Layer.Rng"/> (forked from the model's seed at build) or, when
/// a seed is given, a stream seeded with it. Backward: ∂L/∂x = ∂L/∂y ⊙ m with the same mask.
/// </para>
/// <para>Keras' rules: docs/keras-semantics.md#dropout.</para>
/// </summary>
public sealed class Dropout : Layer
{
    private readonly SeededRandom? _seeded;
    private float[]? _mask;
    private int[]? _shape;

    /// <param name="rate">Fraction of values to drop, in [0, 1).</param>
    /// <param name="seed">Seeds this layer's masks; null uses the stream the model gives the layer.</param>
    /// <param name="name">Layer name; null gives dropout_1, dropout_2, …</param>
    public Dropout(float rate, int? seed = null, string? name = null)
        : base(name)
    {
        if (!(rate >= 0f && rate < 1f))
            throw Error(
                $"needs a rate in [0, 1), got {rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            );
        Rate = rate;
        Seed = seed;
        _seeded = seed is int s ? new SeededRandom(unchecked((ulong)s)) : null;
    }

    public override string TypeName => "Dropout";

    public float Rate { get; }

    public int? Seed { get; }

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank < 2)
            throw Error($"expected input of rank 2 or more (batch first) but got {inputShape}");
        return inputShape;
    }

    protected override bool AcceptsVariableTime(int[] shape) => ShapeRules.SameExceptTime(InputShape!, shape);

    /// <summary>Works on each timestep alone, so it passes a mask on (Keras' supports_masking).</summary>
    protected override bool SupportsMasking => true;

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        _shape = input.Shape;
        if (!training || Rate == 0f)
        {
            _mask = null;
            return input;
        }
        var rng = _seeded ?? Rng;
        float scale = 1f / (1f - Rate);
        // Mask, output and (in Backward) input gradient are fully written, so reused buffers are fine.
        var mask = BatchBuffer(BufferRole.Scratch, input.Shape).Data;
        for (int i = 0; i < mask.Length; i++)
            mask[i] = rng.NextFloat() >= Rate ? scale : 0f;
        var output = BatchBuffer(BufferRole.Output, input.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(input.Data, mask, output.Data);
        _mask = mask;
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_shape is null)
            throw Error("cannot run Backward before Forward");
        if (!outputGradient.HasShape(_shape))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(_shape)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        if (_mask is null)
            return outputGradient;
        var dx = BatchBuffer(BufferRole.InputGradient, _shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient.Data, _mask, dx.Data);
        return dx;
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["rate"] = Rate;
        config["noise_shape"] = null;
        config["seed"] = Seed;
        return config;
    }

    /// <summary>The layer a config from <see cref="GetConfig"/> describes.</summary>
    public static Dropout FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Has("noise_shape"))
            throw new LayerException(
                $"Config of Dropout '{config.Name}': noise_shape is not supported (only element-wise dropout)."
            );
        return new Dropout(config.Float("rate"), config.OptionalInt("seed"), config.Name);
    }
}
