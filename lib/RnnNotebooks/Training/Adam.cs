using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnNotebooks.Training;

/// <summary>
/// Keras 2.x Adam (defaults lr = 0.001, β1 = 0.9, β2 = 0.999, ε = 1e-7, amsgrad = false).
/// With t = iterations + 1 and moments m, v (zero at start):
/// <c>m ← β1·m + (1 − β1)·g</c>; <c>v ← β2·v + (1 − β2)·g²</c>;
/// <c>lr_t = lr·√(1 − β2^t) / (1 − β1^t)</c>; <c>p ← p − lr_t·m / (√v + ε)</c>
/// (ε is added to √v and not bias-corrected: the paper's "epsilon hat").
/// AMSGrad keeps v̂ ← max(v̂, v) and divides by √v̂ instead.
/// Keras' rules: docs/keras-semantics.md#optimizers.
/// </summary>
public sealed class Adam : Optimizer
{
    public Adam(
        float learningRate = 0.001f,
        float beta1 = 0.9f,
        float beta2 = 0.999f,
        float epsilon = 1e-7f,
        bool amsgrad = false,
        float decay = 0f,
        float? clipNorm = null,
        float? clipValue = null
    )
        : base(learningRate, decay, clipNorm, clipValue)
    {
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), $"Adam: beta1 must be in [0, 1), got {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentOutOfRangeException(nameof(beta2), $"Adam: beta2 must be in [0, 1), got {beta2}.");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Adam: epsilon must be ≥ 0, got {epsilon}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        Amsgrad = amsgrad;
    }

    public override string Name => "Adam";

    public float Beta1 { get; }

    public float Beta2 { get; }

    public float Epsilon { get; }

    public bool Amsgrad { get; }

    protected override int SlotCount => Amsgrad ? 3 : 2;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, float lr, float[][] slots)
    {
        float t = Iterations + 1;
        float lrT = lr * (MathF.Sqrt(1f - MathF.Pow(Beta2, t)) / (1f - MathF.Pow(Beta1, t)));
        var m = slots[0].AsSpan();
        var v = slots[1].AsSpan();
        var vHat = Amsgrad ? slots[2].AsSpan() : Span<float>.Empty;
        float b1 = Beta1,
            b2 = Beta2,
            ob1 = 1f - Beta1,
            ob2 = 1f - Beta2,
            eps = Epsilon;
        int n = value.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vb1 = new Vector<float>(b1);
            var vb2 = new Vector<float>(b2);
            var vob1 = new Vector<float>(ob1);
            var vob2 = new Vector<float>(ob2);
            var veps = new Vector<float>(eps);
            var vlr = new Vector<float>(lrT);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                var mt = vb1 * new Vector<float>(m[i..]) + vob1 * g;
                var vt = vb2 * new Vector<float>(v[i..]) + vob2 * (g * g);
                mt.CopyTo(m[i..]);
                vt.CopyTo(v[i..]);
                if (Amsgrad)
                {
                    vt = Vector.Max(new Vector<float>(vHat[i..]), vt);
                    vt.CopyTo(vHat[i..]);
                }
                (new Vector<float>(value[i..]) - vlr * mt / (Vector.SquareRoot(vt) + veps)).CopyTo(value[i..]);
            }
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            float mt = b1 * m[i] + ob1 * g;
            float vt = b2 * v[i] + ob2 * (g * g);
            m[i] = mt;
            v[i] = vt;
            if (Amsgrad)
            {
                vt = MathF.Max(vHat[i], vt);
                vHat[i] = vt;
            }
            value[i] -= lrT * mt / (MathF.Sqrt(vt) + eps);
        }
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?>(base.GetConfig())
        {
            ["beta_1"] = Beta1,
            ["beta_2"] = Beta2,
            ["epsilon"] = Epsilon,
            ["amsgrad"] = Amsgrad,
        };
}
