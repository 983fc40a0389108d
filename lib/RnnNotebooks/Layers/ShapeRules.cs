using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>Shape checks shared by layers that pass sequences through unchanged in shape.</summary>
internal static class ShapeRules
{
    /// <summary>
    /// True when <paramref name="shape"/> has the built rank and sizes except on the time axis
    /// (axis 1 of a 3-D or larger input), so a layer built on one sequence length takes another.
    /// </summary>
    public static bool SameExceptTime(TensorShape built, int[] shape)
    {
        if (shape.Length != built.Rank || shape.Length < 3)
            return false;
        for (int a = 2; a < shape.Length; a++)
            if (built[a] is int d && d != shape[a])
                return false;
        return true;
    }
}
