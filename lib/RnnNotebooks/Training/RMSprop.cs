using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnNotebooks.Training;

/// <summary>
/// Keras 2.x RMSprop (defaults lr = 0.001, ρ = 0.9, ε = 1e-7 as in Keras ≥ 2.1.3, decay = 0).
/// With the accumulator a (zero at start):
/// <c>a ← ρ·a + (1 − ρ)·g²</c>; <c>p ← p − lr·g / (√a + ε)</c> (ε outside the root).
/// The recommended optimizer for recurrent networks in Keras' documentation.
/// Keras' rules: docs/keras-semantics.md#optimizers.
/// </summary>
public sealed class RMSprop : Optimizer
{
    public RMSprop(
        float learningRate = 0.001f,
        float rho = 0.9f,
        float epsilon = 1e-7f,
        float decay = 0f,
        float? clipNorm = null,
        float? clipValue = null
    )
        : base(learningRate, decay, clipNorm, clipValue)
    {
        if (!(rho >= 0 && rho <= 1))
            throw new ArgumentOutOfRangeException(nameof(rho), $"RMSprop: rho must be in [0, 1], got {rho}.");
        if (!(epsilon >= 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"RMSprop: epsilon must be ≥ 0, got {epsilon}.");
        Rho = rho;
        Epsilon = epsilon;
    }

    public override string Name => "RMSprop";

    public float Rho { get; }

    public float Epsilon { get; }

    protected override int SlotCount => 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, float lr, float[][] slots)
    {
        var acc = slots[0].AsSpan();
        float rho = Rho,
            oneMinusRho = 1f - Rho,
            eps = Epsilon;
        int n = value.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vrho = new Vector<float>(rho);
            var v1rho = new Vector<float>(oneMinusRho);
            var veps = new Vector<float>(eps);
            var vlr = new Vector<float>(lr);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                var a = vrho * new Vector<float>(acc[i..]) + v1rho * (g * g);
                a.CopyTo(acc[i..]);
                (new Vector<float>(value[i..]) - vlr * g / (Vector.SquareRoot(a) + veps)).CopyTo(value[i..]);
            }
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            float a = rho * acc[i] + oneMinusRho * (g * g);
            acc[i] = a;
            value[i] -= lr * g / (MathF.Sqrt(a) + eps);
        }
    }

    public override IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?>(base.GetConfig()) { ["rho"] = Rho, ["epsilon"] = Epsilon };
}
