namespace RnnNotebooks.Tensors;

/// <summary>
/// Small operations along the time axis of a sequence batch (batch, T, features): take one
/// timestep, a window of timesteps, reverse time, and the norm of every timestep. What a notebook
/// needs to unroll a recurrent layer by hand or to look at ∂L/∂h_t step by step.
/// </summary>
public static class TimeAxis
{
    /// <summary>Timestep <paramref name="t"/> of <paramref name="x"/> (batch, T, F) as a new (batch, F) tensor.</summary>
    public static Tensor Step(Tensor x, int t)
    {
        var (batch, steps, features) = Dims(x, nameof(Step));
        if (t < 0 || t >= steps)
            throw new ArgumentOutOfRangeException(
                nameof(t),
                $"TimeAxis.Step: timestep {t} is outside 0…{steps - 1} of a tensor of shape {Tensor.ShapeToString(x.Shape)}."
            );
        var result = new Tensor(batch, features);
        for (int n = 0; n < batch; n++)
            x.Data.AsSpan((n * steps + t) * features, features).CopyTo(result.Data.AsSpan(n * features, features));
        return result;
    }

    /// <summary>Timesteps start … start + length − 1 of <paramref name="x"/> (batch, T, F) as a new (batch, length, F) tensor.</summary>
    public static Tensor Slice(Tensor x, int start, int length)
    {
        var (batch, steps, features) = Dims(x, nameof(Slice));
        if (start < 0 || length < 0 || start + length > steps)
            throw new ArgumentOutOfRangeException(
                nameof(length),
                $"TimeAxis.Slice: timesteps {start}…{start + length - 1} are outside 0…{steps - 1} of a tensor of shape {Tensor.ShapeToString(x.Shape)}."
            );
        var result = new Tensor(batch, length, features);
        for (int n = 0; n < batch; n++)
            x.Data.AsSpan((n * steps + start) * features, length * features)
                .CopyTo(result.Data.AsSpan(n * length * features, length * features));
        return result;
    }

    /// <summary><paramref name="x"/> (batch, T, F) with its timesteps in reverse order (a new tensor).</summary>
    public static Tensor Reverse(Tensor x)
    {
        var (batch, steps, features) = Dims(x, nameof(Reverse));
        var result = new Tensor(x.Shape);
        for (int n = 0; n < batch; n++)
        for (int t = 0; t < steps; t++)
            x.Data.AsSpan((n * steps + t) * features, features)
                .CopyTo(result.Data.AsSpan((n * steps + steps - 1 - t) * features, features));
        return result;
    }

    /// <summary>
    /// The Euclidean norm of every timestep of <paramref name="x"/> (batch, T, F) over the batch and
    /// feature axes, in double precision: element t is √(Σ_n Σ_f x[n, t, f]²). For a layer's
    /// StateGradients it is ‖∂L/∂h_t‖ at every t.
    /// </summary>
    public static double[] Norms(Tensor x)
    {
        var (batch, steps, features) = Dims(x, nameof(Norms));
        var squares = new double[steps];
        for (int n = 0; n < batch; n++)
        for (int t = 0; t < steps; t++)
        {
            var row = x.Data.AsSpan((n * steps + t) * features, features);
            double s = 0;
            foreach (float v in row)
                s += (double)v * v;
            squares[t] += s;
        }
        return squares.Select(Math.Sqrt).ToArray();
    }

    private static (int Batch, int Steps, int Features) Dims(Tensor x, string operation)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3)
            throw new ArgumentException(
                $"TimeAxis.{operation} needs a tensor of shape (batch, timesteps, features) but got {Tensor.ShapeToString(x.Shape)}."
            );
        return (x.Shape[0], x.Shape[1], x.Shape[2]);
    }
}
