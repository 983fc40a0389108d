using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Dense: <c>y = act(x·W + b)</c> with kernel W (in, units) and bias b (units).
/// On 3-D input (batch, T, in) it is applied at every timestep with the same weights
/// (output (batch, T, units)); parameters: in·units + units.
/// <para>
/// Backward: with dz = ∂L/∂y ⊙ act′, ∂L/∂W = xᵀ·dz, ∂L/∂b = Σ_rows dz, ∂L/∂x = dz·Wᵀ.
/// </para>
/// <para>Keras' rules: docs/keras-semantics.md#dense.</para>
/// </summary>
public sealed class Dense : Layer
{
    private Parameter _kernel = null!;
    private Parameter? _bias;
    private Tensor? _input;
    private Tensor? _output;

    public Dense(
        int units,
        string? activation = null,
        bool useBias = true,
        string kernelInitializer = "glorot_uniform",
        string biasInitializer = "zeros",
        string? name = null,
        int?[]? inputShape = null,
        int? batchSize = null
    )
        : base(name, inputShape, batchSize)
    {
        if (units <= 0)
            throw Error($"needs a positive number of units, got {units}");
        Units = units;
        Activation = Parse(() => Activations.Parse(activation), "activation");
        UseBias = useBias;
        KernelInitializer = Parse(() => Initializer.FromName(kernelInitializer), "kernel_initializer");
        BiasInitializer = Parse(() => Initializer.FromName(biasInitializer), "bias_initializer");
    }

    /// <summary>Turns a lookup's ArgumentException into a LayerException that names this layer.</summary>
    private T Parse<T>(Func<T> lookup, string argument)
    {
        try
        {
            return lookup();
        }
        catch (ArgumentException e)
        {
            throw Error($"has an unknown {argument}: {e.Message}");
        }
    }

    public override string TypeName => "Dense";

    public int Units { get; }

    public ActivationKind Activation { get; }

    public bool UseBias { get; }

    public Initializer KernelInitializer { get; }

    public Initializer BiasInitializer { get; }

    /// <summary>W, shape (in, units).</summary>
    public Parameter Kernel => _kernel;

    /// <summary>b, shape (units); null when useBias is false.</summary>
    public Parameter? Bias => _bias;

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank < 2 || inputShape[-1] is null)
            throw Error($"needs inputs whose last axis is known, got {inputShape}");
        return inputShape.WithLast(Units);
    }

    protected override void BuildCore(TensorShape inputShape, SeededRandom rng)
    {
        int inputDim = inputShape[-1]!.Value;
        _kernel = AddWeight("kernel", [inputDim, Units], KernelInitializer, rng);
        if (UseBias)
            _bias = AddWeight("bias", [Units], BiasInitializer, rng);
    }

    protected override bool AcceptsVariableTime(int[] shape) =>
        shape.Length == InputShape!.Rank && shape[^1] == InputShape[-1];

    /// <summary>Works on each timestep alone, so it passes a mask on (Keras' supports_masking).</summary>
    protected override bool SupportsMasking => true;

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        int inputDim = input.Shape[^1];
        int rows = input.Size / inputDim;
        var outShape = (int[])input.Shape.Clone();
        outShape[^1] = Units;
        // The GEMM overwrites every element (accumulate: false), so a reused buffer is fine.
        var output = BatchBuffer(BufferRole.Output, outShape);
        Gemm.MatMul(input.Data, inputDim, _kernel.Value.Data, Units, output.Data, Units, rows, inputDim, Units, false);
        if (_bias is not null)
            for (int r = 0; r < rows; r++)
            {
                var row = output.Data.AsSpan(r * Units, Units);
                System.Numerics.Tensors.TensorPrimitives.Add(row, _bias.Value.Data, row);
            }
        Activations.Apply(Activation, output.Data, Units);
        _input = input;
        _output = output;
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_input is null || _output is null)
            throw Error("cannot run Backward before Forward");
        if (!outputGradient.HasShape(_output.Shape))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(_output.Shape)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        int inputDim = _input.Shape[^1];
        int rows = _input.Size / inputDim;
        var dz = BatchBuffer(BufferRole.Scratch, outputGradient.Shape);
        outputGradient.Data.CopyTo(dz.Data, 0);
        Activations.Backward(Activation, _output.Data, dz.Data, Units);
        if (_bias is not null)
        {
            var gb = _bias.Gradient.Data.AsSpan();
            for (int r = 0; r < rows; r++)
                System.Numerics.Tensors.TensorPrimitives.Add(gb, dz.Data.AsSpan(r * Units, Units), gb);
        }
        var dx = BatchBuffer(BufferRole.InputGradient, _input.Shape); // overwritten by the GEMM below
        // ∂L/∂W = xᵀ·dz, ∂L/∂x = dz·Wᵀ
        Gemm.MatMulTransposeA(
            _input.Data,
            inputDim,
            dz.Data,
            Units,
            _kernel.Gradient.Data,
            Units,
            rows,
            inputDim,
            Units,
            true
        );
        Gemm.MatMulTransposeB(
            dz.Data,
            Units,
            _kernel.Value.Data,
            Units,
            dx.Data,
            inputDim,
            rows,
            Units,
            inputDim,
            false
        );
        return dx;
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["units"] = Units;
        config["activation"] = Activations.KerasName(Activation);
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.Name;
        config["bias_initializer"] = BiasInitializer.Name;
        return config;
    }

    /// <summary>The layer a config from <see cref="GetConfig"/> describes (fresh weights).</summary>
    public static Dense FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Dense(
            config.Int("units"),
            config.OptionalString("activation"),
            config.Bool("use_bias", true),
            config.String("kernel_initializer", "glorot_uniform"),
            config.String("bias_initializer", "zeros"),
            config.Name,
            config.InputShape,
            config.BatchSize
        );
    }
}
