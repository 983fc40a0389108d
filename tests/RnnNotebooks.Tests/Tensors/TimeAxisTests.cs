using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Tensors;

public class TimeAxisTests
{
    // x[n, t, f] = 100 n + 10 t + f: every value says where it came from.
    private static Tensor Numbered(int batch, int steps, int features)
    {
        var x = new Tensor(batch, steps, features);
        for (int n = 0; n < batch; n++)
        for (int t = 0; t < steps; t++)
        for (int f = 0; f < features; f++)
            x[n, t, f] = 100 * n + 10 * t + f;
        return x;
    }

    [Fact]
    public void Step_takes_one_timestep_of_every_sample()
    {
        var step = TimeAxis.Step(Numbered(2, 4, 3), 2);
        Assert.Equal(new[] { 2, 3 }, step.Shape);
        Assert.Equal(new float[] { 20, 21, 22, 120, 121, 122 }, step.Data);
    }

    [Fact]
    public void Slice_takes_a_window_and_copies_it()
    {
        var x = Numbered(2, 4, 2);
        var window = TimeAxis.Slice(x, 1, 2);
        Assert.Equal(new[] { 2, 2, 2 }, window.Shape);
        Assert.Equal(new float[] { 10, 11, 20, 21, 110, 111, 120, 121 }, window.Data);
        window[0, 0, 0] = -1;
        Assert.Equal(10, x[0, 1, 0]);
        Assert.Equal(0, TimeAxis.Slice(x, 4, 0).Shape[1]);
    }

    [Fact]
    public void Reverse_flips_time_only_and_twice_is_the_identity()
    {
        var x = Numbered(2, 3, 2);
        var r = TimeAxis.Reverse(x);
        Assert.Equal(new float[] { 20, 21, 10, 11, 0, 1, 120, 121, 110, 111, 100, 101 }, r.Data);
        Assert.Equal(x.Data, TimeAxis.Reverse(r).Data);
    }

    [Fact]
    public void Norms_are_taken_over_batch_and_features_per_timestep()
    {
        var x = new Tensor([3, 4, 0, 0, 0, 0, 1, 2], 2, 2, 2);
        var norms = TimeAxis.Norms(x);
        Assert.Equal(2, norms.Length);
        Assert.Equal(5.0, norms[0], 12); // √(3² + 4² + 0² + 0²)
        Assert.Equal(Math.Sqrt(5), norms[1], 12); // √(0² + 0² + 1² + 2²)
    }

    [Fact]
    public void Bad_input_is_named()
    {
        var x = Numbered(1, 3, 2);
        var e = Assert.Throws<ArgumentException>(() => TimeAxis.Step(new Tensor(2, 3), 0));
        Assert.Contains("(batch, timesteps, features)", e.Message);
        Assert.Contains("(2, 3)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeAxis.Step(x, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeAxis.Step(x, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeAxis.Slice(x, 2, 2));
        Assert.Throws<ArgumentNullException>(() => TimeAxis.Norms(null!));
    }
}
