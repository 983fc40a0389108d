using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Flatten: (batch, d1, d2, …) → (batch, d1·d2·…) in row-major (C) order, so
/// <c>y[b, (i·d2 + j)] = x[b, i, j]</c>; (None, 400, 50) becomes (None, 20000). No parameters.
/// Every axis after the batch must be known, as in Keras. Forward and backward are reshapes that
/// share the data (layers never modify their inputs or output gradients in place).
/// Keras' rules: docs/keras-semantics.md#other-layers.
/// </summary>
public sealed class Flatten : Layer
{
    private int[]? _inputShape;

    /// <param name="name">Layer name; null gives flatten_1, flatten_2, …</param>
    public Flatten(string? name = null)
        : base(name) { }

    public override string TypeName => "Flatten";

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank < 2)
            throw Error($"expected input of rank 2 or more (batch first) but got {inputShape}");
        long size = 1;
        for (int a = 1; a < inputShape.Rank; a++)
        {
            if (inputShape[a] is not int d)
                throw Error(
                    $"needs every axis after the batch to be known but got input shape {inputShape} "
                        + "(give the first layer a fixed input length, e.g. inputLength on Embedding)"
                );
            size *= d;
        }
        if (size > int.MaxValue)
            throw Error($"would produce {size} features per sample from input shape {inputShape}, too many");
        return new TensorShape(inputShape[0], (int)size);
    }

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        _inputShape = input.Shape;
        return input.Reshape(input.Shape[0], -1);
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_inputShape is null)
            throw Error("cannot run Backward before Forward");
        int[] expected = [_inputShape[0], _inputShape[1..].Aggregate(1, (size, d) => size * d)];
        if (!outputGradient.HasShape(expected))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(expected)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        return outputGradient.Reshape(_inputShape);
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["data_format"] = "channels_last";
        return config;
    }

    /// <summary>The layer a config from <see cref="GetConfig"/> describes.</summary>
    public static Flatten FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Flatten(config.Name);
    }
}
