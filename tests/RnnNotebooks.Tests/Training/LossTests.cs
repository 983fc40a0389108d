using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class LossTests
{
    private static Tensor T(float[] values, params int[] shape) => new((float[])values.Clone(), shape);

    [Fact]
    public void Binary_crossentropy_is_the_mean_of_minus_log_likelihoods()
    {
        var loss = new BinaryCrossentropy();
        double value = loss.Compute(T([1, 0], 2, 1), T([0.8f, 0.8f], 2, 1));
        value.Should().BeApproximately((-Math.Log(0.8) - Math.Log(0.2)) / 2, 1e-6);
    }

    [Fact]
    public void Binary_crossentropy_averages_over_the_last_axis_per_sample()
    {
        var loss = new BinaryCrossentropy();
        var perSample = loss.PerSample(T([1, 0, 1, 1], 2, 2), T([0.9f, 0.3f, 0.6f, 0.5f], 2, 2));
        perSample[0].Should().BeApproximately((-Math.Log(0.9) - Math.Log(0.7)) / 2, 1e-6);
        perSample[1].Should().BeApproximately((-Math.Log(0.6) - Math.Log(0.5)) / 2, 1e-6);
    }

    [Fact]
    public void Binary_crossentropy_saturates_at_the_keras_clip_values()
    {
        var loss = new BinaryCrossentropy();
        // p = 0 for y = 1: −ln(ε) = 16.1181; p = 1 for y = 0: −ln(1 − float32(1 − ε)) = 15.9424,
        // Keras 2.x's familiar ceiling for a confidently wrong sigmoid.
        loss.Compute(T([1], 1, 1), T([0f], 1, 1)).Should().BeApproximately(16.1180956, 1e-5);
        loss.Compute(T([0], 1, 1), T([1f], 1, 1)).Should().BeApproximately(15.9423852, 1e-5);
        loss.Compute(T([1], 1, 1), T([1f], 1, 1)).Should().BeApproximately(1.1920929e-7, 1e-12);
    }

    [Fact]
    public void Clipped_predictions_get_no_gradient()
    {
        var loss = new BinaryCrossentropy();
        var g = loss.Gradient(T([1, 0, 1, 0], 4, 1), T([0f, 1f, 1e-8f, 0.5f], 4, 1));
        g.Data[0].Should().Be(0f, "p = 0 lies below ε, where clip's derivative is 0");
        g.Data[1].Should().Be(0f);
        g.Data[2].Should().Be(0f);
        // Inside: (p − y)/(p(1 − p)) / N = 0.5/0.25/4
        g.Data[3].Should().BeApproximately(0.5f, 1e-6f);

        var cat = new CategoricalCrossentropy().Gradient(T([0, 1], 1, 2), T([1f, 0f], 1, 2));
        cat.Data.Should().Equal(0f, 0f);
    }

    [Fact]
    public void The_clip_bounds_themselves_still_pass_the_gradient()
    {
        var g = new BinaryCrossentropy().Gradient(T([1], 1, 1), T([Loss.Epsilon], 1, 1));
        ((double)g.Data[0]).Should().BeApproximately((Loss.Epsilon - 1.0) / (Loss.Epsilon * (1 - Loss.Epsilon)), 1e2);
        g.Data[0].Should().BeLessThan(-1e6f);
    }

    [Fact]
    public void Categorical_crossentropy_renormalises_then_clips()
    {
        var loss = new CategoricalCrossentropy();
        loss.Compute(T([0, 1, 0], 1, 3), T([0.7f, 0.2f, 0.1f], 1, 3)).Should().BeApproximately(-Math.Log(0.2), 1e-6);
        // Half the mass: the same distribution after renormalising.
        loss.Compute(T([0, 1, 0], 1, 3), T([0.35f, 0.1f, 0.05f], 1, 3)).Should().BeApproximately(-Math.Log(0.2), 1e-6);
        loss.Compute(T([0, 1, 0], 1, 3), T([1f, 0f, 0f], 1, 3)).Should().BeApproximately(16.1180956, 1e-5);
    }

    [Fact]
    public void Sparse_categorical_crossentropy_equals_categorical_on_normalised_rows()
    {
        var p = T([0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f], 2, 3);
        double sparse = new SparseCategoricalCrossentropy().Compute(T([1, 2], 2), p);
        double dense = new CategoricalCrossentropy().Compute(T([0, 1, 0, 0, 0, 1], 2, 3), p);
        sparse.Should().BeApproximately(dense, 1e-6);
        sparse.Should().BeApproximately((-Math.Log(0.2) - Math.Log(0.6)) / 2, 1e-6);
        // (N, 1) targets are accepted too.
        new SparseCategoricalCrossentropy()
            .Compute(T([1, 2], 2, 1), p)
            .Should()
            .Be(sparse);
    }

    [Fact]
    public void Sparse_categorical_crossentropy_takes_per_timestep_targets()
    {
        // (N=1, T=2, K=2) output, (1, 2) targets: mean over the 2 positions.
        var value = new SparseCategoricalCrossentropy().Compute(T([0, 1], 1, 2), T([0.9f, 0.1f, 0.4f, 0.6f], 1, 2, 2));
        value.Should().BeApproximately((-Math.Log(0.9) - Math.Log(0.6)) / 2, 1e-6);
    }

    [Fact]
    public void Mean_squared_error_averages_over_the_last_axis_then_rows()
    {
        var loss = new MeanSquaredError();
        loss.Compute(T([0, 0, 1, 1], 2, 2), T([1f, 2f, 1f, 1f], 2, 2)).Should().BeApproximately((2.5 + 0) / 2, 1e-9);
        Loss.FromName("mse").Name.Should().Be("mean_squared_error");
    }

    public static TheoryData<string, float[], float[], int[]> GradientCases() =>
        new()
        {
            { "binary_crossentropy", [1, 0, 1, 0, 1, 1], [0.3f, 0.6f, 0.55f, 0.2f, 0.9f, 0.45f], [3, 2] },
            { "categorical_crossentropy", [0, 1, 0, 1, 0, 0], [0.2f, 0.5f, 0.3f, 0.25f, 0.15f, 0.4f], [2, 3] },
            { "sparse_categorical_crossentropy", [2, 0], [0.2f, 0.5f, 0.3f, 0.25f, 0.15f, 0.4f], [2, 3] },
            { "mean_squared_error", [0.1f, -2, 3, 0.5f, 1, 0], [0.3f, 0.6f, 0.55f, 0.2f, 0.9f, 0.45f], [2, 3] },
            // Per-timestep (N, T, K) output.
            {
                "categorical_crossentropy",
                [1, 0, 0, 1, 0, 1, 1, 0],
                [0.6f, 0.4f, 0.3f, 0.7f, 0.2f, 0.8f, 0.5f, 0.5f],
                [2, 2, 2]
            },
        };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Gradient_matches_central_finite_differences(string name, float[] target, float[] pred, int[] shape)
    {
        var loss = Loss.FromName(name);
        var yTrue = name.StartsWith("sparse", StringComparison.Ordinal) ? T(target, target.Length) : T(target, shape);
        var yPred = T(pred, shape);
        var analytic = loss.Gradient(yTrue, yPred);
        const float h = 1e-3f;
        for (int i = 0; i < pred.Length; i++)
        {
            var plus = yPred.Clone();
            var minus = yPred.Clone();
            plus.Data[i] += h;
            minus.Data[i] -= h;
            double numeric =
                (loss.Compute(yTrue, plus) - loss.Compute(yTrue, minus)) / ((double)plus.Data[i] - minus.Data[i]);
            ((double)analytic.Data[i])
                .Should()
                .BeApproximately(numeric, 2e-3 * Math.Max(1, Math.Abs(numeric)), $"{name} element {i}");
        }
    }

    [Fact]
    public void Compute_with_a_buffer_returns_the_same_loss_and_gradient()
    {
        var loss = new CategoricalCrossentropy();
        var y = T([0, 0, 1], 1, 3);
        var p = T([0.2f, 0.3f, 0.5f], 1, 3);
        var buffer = new Tensor(1, 3);
        loss.Compute(y, p, buffer).Should().Be(loss.Compute(y, p));
        buffer.Data.Should().Equal(loss.Gradient(y, p).Data);
    }

    [Fact]
    public void Wrong_target_shapes_get_a_clear_message()
    {
        var p = T([0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f], 2, 3);
        FluentActions
            .Invoking(() => new CategoricalCrossentropy().Compute(T([2, 1], 2), p))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*categorical_crossentropy*(2, 3)*got (2,)*sparse_categorical_crossentropy*");
        FluentActions
            .Invoking(() => new SparseCategoricalCrossentropy().Compute(T([0, 3], 2), p))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*row 1 is 3*[0, 3)*");
        FluentActions
            .Invoking(() => new SparseCategoricalCrossentropy().Compute(T([0, 0, 1, 0, 0, 1], 2, 3), p))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*look one-hot*");
        FluentActions
            .Invoking(() => Loss.FromName("hinge"))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("*hinge*Known*");
    }

    [Fact]
    public void A_nan_prediction_gives_a_nan_loss()
    {
        new BinaryCrossentropy().Compute(T([1], 1, 1), T([float.NaN], 1, 1)).Should().Be(double.NaN);
        new CategoricalCrossentropy().Compute(T([1, 0], 1, 2), T([float.NaN, 0.5f], 1, 2)).Should().Be(double.NaN);
    }
}
