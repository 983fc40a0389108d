using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Activation layer: <c>y = f(x)</c> element-wise (linear, relu, tanh, sigmoid,
/// hard_sigmoid) or, for softmax, over the last axis: <c>y_j = e^{x_j} / Σ_k e^{x_k}</c>.
/// Backward uses the outputs (see <see cref="Activations.Backward"/>). No parameters.
/// Keras' rules: docs/keras-semantics.md#other-layers.
/// </summary>
public sealed class Activation : Layer
{
    private Tensor? _output;

    /// <param name="activation">Keras name: linear, relu, tanh, sigmoid, hard_sigmoid or softmax.</param>
    /// <param name="name">Layer name; null gives activation_1, activation_2, …</param>
    public Activation(string activation, string? name = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(activation);
        try
        {
            Kind = Activations.Parse(activation);
        }
        catch (ArgumentException e)
        {
            throw Error($"has an unknown activation: {e.Message}");
        }
    }

    public override string TypeName => "Activation";

    public ActivationKind Kind { get; }

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank < 2)
            throw Error($"expected input of rank 2 or more (batch first) but got {inputShape}");
        if (Kind == ActivationKind.Softmax && inputShape[-1] is null)
            throw Error($"needs a known last axis for softmax but got input shape {inputShape}");
        return inputShape;
    }

    protected override bool AcceptsVariableTime(int[] shape) => ShapeRules.SameExceptTime(InputShape!, shape);

    /// <summary>Works on each timestep alone, so it passes a mask on (Keras' supports_masking).</summary>
    protected override bool SupportsMasking => true;

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        var output = input.Clone();
        Activations.Apply(Kind, output.Data, input.Shape[^1]);
        _output = output;
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_output is null)
            throw Error("cannot run Backward before Forward");
        if (!outputGradient.HasShape(_output.Shape))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(_output.Shape)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        var dx = outputGradient.Clone();
        Activations.Backward(Kind, _output.Data, dx.Data, _output.Shape[^1]);
        return dx;
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["activation"] = Activations.KerasName(Kind);
        return config;
    }

    /// <summary>The layer a config from <see cref="GetConfig"/> describes.</summary>
    public static Activation FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Activation(config.String("activation"), config.Name);
    }
}
