using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>A trainable array of a layer (a kernel, a recurrent kernel, a bias) with its gradient.</summary>
public sealed class Parameter
{
    public Parameter(string name, Tensor value, bool trainable = true)
    {
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape);
        Trainable = trainable;
    }

    /// <summary>Keras' variable name inside the layer: kernel, recurrent_kernel, bias, embeddings.</summary>
    public string Name { get; }

    public Tensor Value { get; }

    /// <summary>∂loss/∂Value, accumulated by <see cref="Layer.Backward"/> until zeroed.</summary>
    public Tensor Gradient { get; }

    public bool Trainable { get; }

    public int[] Shape => Value.Shape;

    public int Size => Value.Size;

    public override string ToString() => $"{Name} {Tensor.ShapeToString(Value.Shape)}";
}
