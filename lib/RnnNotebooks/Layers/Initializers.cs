using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Fills a new weight. Keras' names: glorot_uniform, orthogonal, zeros, ones, uniform
/// (docs/keras-semantics.md#initializers).
/// </summary>
public abstract class Initializer
{
    /// <summary>The Keras identifier, used in saved configs.</summary>
    public abstract string Name { get; }

    public abstract void Fill(Tensor weight, SeededRandom rng);

    public override string ToString() => Name;

    public static Initializer Zeros { get; } = new ConstantInitializer("zeros", 0f);

    public static Initializer Ones { get; } = new ConstantInitializer("ones", 1f);

    public static Initializer GlorotUniform { get; } = new GlorotUniformInitializer();

    public static Initializer Orthogonal { get; } = new OrthogonalInitializer();

    /// <summary>Keras' 'uniform' = RandomUniform(−0.05, 0.05).</summary>
    public static Initializer Uniform { get; } = new RandomUniformInitializer(-0.05f, 0.05f);

    public static Initializer RandomUniform(float min, float max) => new RandomUniformInitializer(min, max);

    public static Initializer Constant(float value) => new ConstantInitializer("constant", value);

    /// <summary>Looks an initializer up by its Keras name.</summary>
    public static Initializer FromName(string name) =>
        name switch
        {
            "zeros" => Zeros,
            "ones" => Ones,
            "glorot_uniform" => GlorotUniform,
            "orthogonal" => Orthogonal,
            "uniform" or "random_uniform" => Uniform,
            _ => throw new ArgumentException(
                $"Unknown initializer '{name}'. Known: zeros, ones, glorot_uniform, orthogonal, uniform."
            ),
        };

    /// <summary>fan_in, fan_out of a weight as Keras computes them (2-D: rows, cols).</summary>
    public static (int FanIn, int FanOut) Fans(int[] shape) =>
        shape.Length switch
        {
            0 => (1, 1),
            1 => (shape[0], shape[0]),
            2 => (shape[0], shape[1]),
            _ => throw new ArgumentException($"Fans of a rank-{shape.Length} weight are not defined here."),
        };
}

internal sealed class ConstantInitializer(string name, float value) : Initializer
{
    public override string Name => name;

    public float Value => value;

    public override void Fill(Tensor weight, SeededRandom rng) => Array.Fill(weight.Data, value);
}

internal sealed class RandomUniformInitializer(float min, float max) : Initializer
{
    public override string Name => "uniform";

    public float Min => min;

    public float Max => max;

    public override void Fill(Tensor weight, SeededRandom rng)
    {
        var d = weight.Data;
        for (int i = 0; i < d.Length; i++)
            d[i] = rng.Uniform(min, max);
    }
}

/// <summary>U(−L, L) with L = √(6 / (fan_in + fan_out)).</summary>
internal sealed class GlorotUniformInitializer : Initializer
{
    public override string Name => "glorot_uniform";

    public override void Fill(Tensor weight, SeededRandom rng)
    {
        var (fanIn, fanOut) = Fans(weight.Shape);
        float limit = MathF.Sqrt(6f / (fanIn + fanOut));
        var d = weight.Data;
        for (int i = 0; i < d.Length; i++)
            d[i] = rng.Uniform(-limit, limit);
    }
}

/// <summary>
/// A (rows, cols) matrix with orthonormal rows or columns (whichever is fewer), from the QR
/// decomposition of a standard-normal matrix with R's diagonal signs folded in (tf.keras' rule).
/// Applied to a whole recurrent kernel (u, G·u) at once, as Keras does.
/// </summary>
internal sealed class OrthogonalInitializer : Initializer
{
    public override string Name => "orthogonal";

    public override void Fill(Tensor weight, SeededRandom rng)
    {
        if (weight.Rank != 2)
            throw new ArgumentException($"orthogonal needs a 2-D weight, got {Tensor.ShapeToString(weight.Shape)}.");
        int rows = weight.Shape[0],
            cols = weight.Shape[1];
        // Work on a tall (big, small) matrix a whose columns we orthonormalise (modified Gram–Schmidt
        // in double precision, which equals QR with a positive-diagonal R).
        int big = Math.Max(rows, cols),
            small = Math.Min(rows, cols);
        var a = new double[big, small];
        for (int i = 0; i < big; i++)
        for (int j = 0; j < small; j++)
            a[i, j] = rng.NextNormal();
        for (int j = 0; j < small; j++)
        {
            for (int prev = 0; prev < j; prev++)
            {
                double dot = 0;
                for (int i = 0; i < big; i++)
                    dot += a[i, prev] * a[i, j];
                for (int i = 0; i < big; i++)
                    a[i, j] -= dot * a[i, prev];
            }
            double norm = 0;
            for (int i = 0; i < big; i++)
                norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < big; i++)
                a[i, j] /= norm;
        }
        var d = weight.Data;
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            d[r * cols + c] = (float)(rows >= cols ? a[r, c] : a[c, r]);
    }
}
