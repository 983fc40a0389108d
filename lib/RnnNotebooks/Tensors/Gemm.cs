namespace RnnNotebooks.Tensors;

/// <summary>
/// Row-major matrix products on spans, the engine's hot path. Every operand has an explicit
/// leading dimension (the distance between rows), so a layer can multiply a block of a larger
/// buffer (one timestep of a (T, B, G·u) gate buffer, say) without copying it.
/// <para>All three products either overwrite C (<c>accumulate: false</c>) or add into it.</para>
/// </summary>
public static class Gemm
{
    /// <summary>C[m,n] (+)= A[m,k] · B[k,n].</summary>
    public static void MatMul(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    )
    {
        for (int i = 0; i < m; i++)
        {
            var ci = c.Slice(i * ldc, n);
            if (!accumulate)
                ci.Clear();
            var ai = a.Slice(i * lda, k);
            for (int p = 0; p < k; p++)
            {
                float aip = ai[p];
                if (aip == 0f)
                    continue;
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), aip, ci, ci);
            }
        }
    }

    /// <summary>C[m,n] (+)= A[m,k] · B[n,k]ᵀ (B stored row-major as n rows of k).</summary>
    public static void MatMulTransposeB(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    )
    {
        for (int i = 0; i < m; i++)
        {
            var ai = a.Slice(i * lda, k);
            for (int j = 0; j < n; j++)
            {
                float dot = System.Numerics.Tensors.TensorPrimitives.Dot(ai, b.Slice(j * ldb, k));
                if (accumulate)
                    c[i * ldc + j] += dot;
                else
                    c[i * ldc + j] = dot;
            }
        }
    }

    /// <summary>C[k,n] (+)= A[m,k]ᵀ · B[m,n] (the weight-gradient product Xᵀ·dY).</summary>
    public static void MatMulTransposeA(
        ReadOnlySpan<float> a,
        int lda,
        ReadOnlySpan<float> b,
        int ldb,
        Span<float> c,
        int ldc,
        int m,
        int k,
        int n,
        bool accumulate
    )
    {
        if (!accumulate)
            for (int p = 0; p < k; p++)
                c.Slice(p * ldc, n).Clear();
        for (int i = 0; i < m; i++)
        {
            var bi = b.Slice(i * ldb, n);
            var ai = a.Slice(i * lda, k);
            for (int p = 0; p < k; p++)
            {
                float aip = ai[p];
                if (aip == 0f)
                    continue;
                var cp = c.Slice(p * ldc, n);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(bi, aip, cp, cp);
            }
        }
    }
}
