using System.Numerics;
using System.Runtime.CompilerServices;

namespace RnnNotebooks.Training;

/// <summary>
/// Keras' SGD (defaults lr = 0.01, momentum = 0, nesterov = false, decay = 0).
/// Without momentum: <c>p ← p − lr·g</c>. With momentum μ, velocity v (zero at start):
/// <c>v ← μ·v − lr·g</c>, then <c>p ← p + v</c>, or with Nesterov <c>p ← p + μ·v − lr·g</c>
/// (using the new v).
/// Keras' rules: docs/keras-semantics.md#optimizers.
/// </summary>
public sealed class SGD : Optimizer
{
    public SGD(
        float learningRate = 0.01f,
        float momentum = 0f,
        bool nesterov = false,
        float decay = 0f,
        float? clipNorm = null,
        float? clipValue = null
    )
        : base(learningRate, decay, clipNorm, clipValue)
    {
        if (!(momentum >= 0))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"SGD: momentum must be ≥ 0, got {momentum}.");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public override string Name => "SGD";

    public float Momentum { get; }

    public bool Nesterov { get; }

    protected override int SlotCount => Momentum > 0 ? 1 : 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Update(Span<float> value, ReadOnlySpan<float> gradient, float lr, float[][] slots)
    {
        int n = value.Length;
        int i = 0;
        if (Momentum == 0)
        {
            // p − lr·g
            if (Vector.IsHardwareAccelerated)
            {
                var vlr = new Vector<float>(lr);
                for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
                    (new Vector<float>(value[i..]) - vlr * new Vector<float>(gradient[i..])).CopyTo(value[i..]);
            }
            for (; i < n; i++)
                value[i] -= lr * gradient[i];
            return;
        }
        var velocity = slots[0].AsSpan();
        float mu = Momentum;
        if (Vector.IsHardwareAccelerated)
        {
            var vmu = new Vector<float>(mu);
            var vlr = new Vector<float>(lr);
            for (; i <= n - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                var v = vmu * new Vector<float>(velocity[i..]) - vlr * g;
                v.CopyTo(velocity[i..]);
                var p = new Vector<float>(value[i..]);
                (Nesterov ? p + vmu * v - vlr * g : p + v).CopyTo(value[i..]);
            }
        }
        for (; i < n; i++)
        {
            float g = gradient[i];
            float v = mu * velocity[i] - lr * g;
            velocity[i] = v;
            value[i] = Nesterov ? value[i] + mu * v - lr * g : value[i] + v;
        }
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = new Dictionary<string, object?>(base.GetConfig())
        {
            ["momentum"] = Momentum,
            ["nesterov"] = Nesterov,
        };
        return config;
    }
}
