using System.Globalization;
using System.Text;
using RnnNotebooks.Display;

namespace RnnNotebooks.Tensors;

/// <summary>
/// A dense float32 tensor in row-major (C) order. The engine's one data type: inputs, weights,
/// activations and gradients are all tensors. <see cref="Data"/> is exposed on purpose so that
/// hot loops can work on spans without copying.
/// </summary>
// Shown by the notebooks' TensorFormatterSource, named rather than referenced: Tensors sits below Notebooks.
[TypeFormatterSource(
    "RnnNotebooks.Notebooks.TensorFormatterSource",
    PreferredMimeTypes = [MimeTypes.Html, MimeTypes.PlainText]
)]
public sealed partial class Tensor
{
    /// <summary>Creates a tensor of zeros with the given shape.</summary>
    public Tensor(params int[] shape)
        : this(new float[CheckedSize(shape)], shape) { }

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int size = CheckedSize(shape);
        if (data.Length != size)
        {
            throw new ArgumentException(
                $"A tensor of shape {ShapeToString(shape)} needs {size} values, but {data.Length} were given."
            );
        }
        Data = data;
        Shape = (int[])shape.Clone();
    }

    /// <summary>The values, row-major. Length equals <see cref="Size"/>.</summary>
    public float[] Data { get; }

    /// <summary>The extent of each axis.</summary>
    public int[] Shape { get; }

    public int Rank => Shape.Length;

    public int Size => Data.Length;

    public Span<float> Span => Data;

    public int Dim(int axis) => Shape[axis < 0 ? Shape.Length + axis : axis];

    public static Tensor Zeros(params int[] shape) => new(shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var t = new Tensor(shape);
        Array.Fill(t.Data, value);
        return t;
    }

    public static Tensor FromArray(float[] values) => new((float[])values.Clone(), values.Length);

    public static Tensor FromArray(float[,] values)
    {
        int rows = values.GetLength(0),
            cols = values.GetLength(1);
        var t = new Tensor(rows, cols);
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t.Data[i * cols + j] = values[i, j];
        return t;
    }

    public static Tensor FromArray(float[,,] values)
    {
        int d0 = values.GetLength(0),
            d1 = values.GetLength(1),
            d2 = values.GetLength(2);
        var t = new Tensor(d0, d1, d2);
        int p = 0;
        for (int i = 0; i < d0; i++)
        for (int j = 0; j < d1; j++)
        for (int k = 0; k < d2; k++)
            t.Data[p++] = values[i, j, k];
        return t;
    }

    /// <summary>Integer inputs (token ids) are stored as floats, as Keras feeds them (docs/keras-semantics.md#embedding).</summary>
    public static Tensor FromArray(int[,] values)
    {
        int rows = values.GetLength(0),
            cols = values.GetLength(1);
        var t = new Tensor(rows, cols);
        for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t.Data[i * cols + j] = values[i, j];
        return t;
    }

    public float this[int i]
    {
        get => Data[Offset(i)];
        set => Data[Offset(i)] = value;
    }

    public float this[int i, int j]
    {
        get => Data[Offset(i, j)];
        set => Data[Offset(i, j)] = value;
    }

    public float this[int i, int j, int k]
    {
        get => Data[Offset(i, j, k)];
        set => Data[Offset(i, j, k)] = value;
    }

    /// <summary>A tensor with the same data (shared, not copied) and a new shape of equal size.</summary>
    public Tensor Reshape(params int[] shape)
    {
        int inferred = Array.IndexOf(shape, -1);
        if (inferred >= 0)
        {
            shape = (int[])shape.Clone();
            int rest = 1;
            for (int a = 0; a < shape.Length; a++)
                if (a != inferred)
                    rest *= shape[a];
            shape[inferred] = rest == 0 ? 0 : Size / rest;
        }
        if (CheckedSize(shape) != Size)
        {
            throw new ArgumentException(
                $"Cannot reshape a tensor of shape {ShapeToString(Shape)} ({Size} values) to {ShapeToString(shape)}."
            );
        }
        return new Tensor(Data, shape);
    }

    public Tensor Clone() => new((float[])Data.Clone(), Shape);

    public float[] ToArray() => (float[])Data.Clone();

    public float[,] ToArray2D()
    {
        RequireRank(2);
        var a = new float[Shape[0], Shape[1]];
        Buffer.BlockCopy(Data, 0, a, 0, Size * sizeof(float));
        return a;
    }

    public float[,,] ToArray3D()
    {
        RequireRank(3);
        var a = new float[Shape[0], Shape[1], Shape[2]];
        Buffer.BlockCopy(Data, 0, a, 0, Size * sizeof(float));
        return a;
    }

    /// <summary>Row <paramref name="i"/> of the first axis as a span (a sample of a batch).</summary>
    public Span<float> Row(int i)
    {
        int stride = Shape.Length == 0 ? 1 : Size / Math.Max(1, Shape[0]);
        return Data.AsSpan(i * stride, stride);
    }

    public bool HasShape(params int[] shape) => Shape.AsSpan().SequenceEqual(shape);

    public override string ToString() => TensorFormatter.Format(this);

    /// <summary>Python's str() of a shape tuple: (2, 3), (5,), () (docs/keras-semantics.md#model-summary).</summary>
    public static string ShapeToString(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
                sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        if (shape.Length == 1)
            sb.Append(',');
        return sb.Append(')').ToString();
    }

    private void RequireRank(int rank)
    {
        if (Rank != rank)
            throw new InvalidOperationException($"Expected a rank-{rank} tensor, got shape {ShapeToString(Shape)}.");
    }

    private int Offset(int i)
    {
        if (Rank != 1 || (uint)i >= (uint)Shape[0])
            throw IndexError([i]);
        return i;
    }

    private int Offset(int i, int j)
    {
        if (Rank != 2 || (uint)i >= (uint)Shape[0] || (uint)j >= (uint)Shape[1])
            throw IndexError([i, j]);
        return i * Shape[1] + j;
    }

    private int Offset(int i, int j, int k)
    {
        if (Rank != 3 || (uint)i >= (uint)Shape[0] || (uint)j >= (uint)Shape[1] || (uint)k >= (uint)Shape[2])
            throw IndexError([i, j, k]);
        return (i * Shape[1] + j) * Shape[2] + k;
    }

    private IndexOutOfRangeException IndexError(int[] index) =>
        new($"Index {ShapeToString(index)} is outside a tensor of shape {ShapeToString(Shape)}.");

    private static int CheckedSize(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"Tensor dimensions must be non-negative, got {ShapeToString(shape)}.");
            size *= d;
            if (size > int.MaxValue)
                throw new ArgumentException($"A tensor of shape {ShapeToString(shape)} is too large.");
        }
        return (int)size;
    }
}
