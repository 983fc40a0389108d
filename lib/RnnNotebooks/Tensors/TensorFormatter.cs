using System.Globalization;
using System.Text;

namespace RnnNotebooks.Tensors;

/// <summary>Text view of a tensor in numpy's style, truncated with "..." past a few items per axis.</summary>
public static class TensorFormatter
{
    public static string Format(Tensor t, int edgeItems = 3, int threshold = 1000)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor ").Append(Tensor.ShapeToString(t.Shape)).Append('\n');
        if (t.Rank == 0)
            return sb.Append(Num(t.Data.Length > 0 ? t.Data[0] : 0f)).ToString();
        bool summarise = t.Size > threshold;
        Append(sb, t, 0, 0, summarise, edgeItems, 0);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, Tensor t, int axis, int offset, bool summarise, int edge, int indent)
    {
        int n = t.Shape[axis];
        int stride = 1;
        for (int a = axis + 1; a < t.Rank; a++)
            stride *= t.Shape[a];
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (summarise && n > 2 * edge && i == edge)
            {
                sb.Append(axis == t.Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + 1));
                i = n - edge - 1;
                continue;
            }
            if (axis == t.Rank - 1)
                sb.Append(Num(t.Data[offset + i]));
            else
                Append(sb, t, axis + 1, offset + i * stride, summarise, edge, indent + 1);
            if (i < n - 1)
                sb.Append(axis == t.Rank - 1 ? ", " : ",\n" + new string(' ', indent + 1));
        }
        sb.Append(']');
    }

    private static string Num(float v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
}
