using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// The first steps of each optimizer against updates worked out by hand (docs/keras-semantics.md#optimizers).
/// The reference values are computed in double from the textbook formulas, so a float32
/// implementation must agree to about 1e-6 relative.
/// </summary>
public class OptimizerTests
{
    /// <summary>Runs <paramref name="steps"/> steps on one parameter; gradient(p, t) gives the gradient before step t (1-based).</summary>
    private static List<float[]> Run(
        Optimizer optimizer,
        float[] initial,
        Func<float[], int, float[]> gradient,
        int steps
    )
    {
        var p = new Parameter("w", Tensor.FromArray(initial));
        var trace = new List<float[]>();
        for (int t = 1; t <= steps; t++)
        {
            gradient(p.Value.ToArray(), t).CopyTo(p.Gradient.Data, 0);
            optimizer.Step([p]);
            trace.Add(p.Value.ToArray());
        }
        return trace;
    }

    private static void ShouldMatch(IReadOnlyList<float[]> actual, IReadOnlyList<double[]> expected)
    {
        actual.Count.Should().Be(expected.Count);
        for (int t = 0; t < expected.Count; t++)
        for (int i = 0; i < expected[t].Length; i++)
            ((double)actual[t][i])
                .Should()
                .BeApproximately(
                    expected[t][i],
                    1e-6 * Math.Max(1, Math.Abs(expected[t][i])),
                    $"step {t + 1}, element {i}"
                );
    }

    private static float[] Quadratic(float[] p, int t) => p.Select(v => 2 * v).ToArray(); // ∇ of Σ p²

    [Fact]
    public void Sgd_plain_steps_are_p_minus_lr_g()
    {
        // p0 = 1, g = 2p, lr = 0.1: p ← 0.8p each step.
        var trace = Run(new SGD(0.1f), [1f], Quadratic, 3);
        ShouldMatch(
            trace,
            [
                [0.8],
                [0.64],
                [0.512],
            ]
        );
    }

    [Fact]
    public void Sgd_momentum_accumulates_velocity()
    {
        // v1 = −0.2, p1 = 0.8; g2 = 1.6: v2 = −0.18 − 0.16 = −0.34, p2 = 0.46;
        // g3 = 0.92: v3 = −0.306 − 0.092 = −0.398, p3 = 0.062.
        var trace = Run(new SGD(0.1f, momentum: 0.9f), [1f], Quadratic, 3);
        ShouldMatch(
            trace,
            [
                [0.8],
                [0.46],
                [0.062],
            ]
        );
    }

    [Fact]
    public void Sgd_nesterov_looks_ahead_with_the_new_velocity()
    {
        // p ← p + μ·v − lr·g with the new v.
        // t1: v = −0.2, p = 1 − 0.18 − 0.2 = 0.62
        // t2: g = 1.24, v = −0.18 − 0.124 = −0.304, p = 0.62 − 0.2736 − 0.124 = 0.2224
        // t3: g = 0.4448, v = −0.2736 − 0.04448 = −0.31808, p = 0.2224 − 0.286272 − 0.04448 = −0.108352
        var trace = Run(new SGD(0.1f, momentum: 0.9f, nesterov: true), [1f], Quadratic, 3);
        ShouldMatch(
            trace,
            [
                [0.62],
                [0.2224],
                [-0.108352],
            ]
        );
    }

    [Fact]
    public void Decay_divides_the_rate_by_one_plus_decay_times_updates_done()
    {
        // lr_t = 0.1 / (1 + 0.5·(t−1)): 0.1, 0.0666…, 0.05.
        // p1 = 1 − 0.1·2 = 0.8; p2 = 0.8 − (0.1/1.5)·1.6 = 0.693333…; p3 = p2 − 0.05·2·p2 = 0.9·p2 = 0.624
        var sgd = new SGD(0.1f, decay: 0.5f);
        var trace = Run(sgd, [1f], Quadratic, 3);
        ShouldMatch(
            trace,
            [
                [0.8],
                [0.8 - 0.16 / 1.5],
                [0.624],
            ]
        );
        sgd.Iterations.Should().Be(3);
        ((double)sgd.CurrentLearningRate).Should().BeApproximately(0.1 / 2.5, 1e-8);
    }

    [Fact]
    public void Rmsprop_divides_by_the_root_of_the_running_mean_square_with_epsilon_outside()
    {
        const double lr = 0.01,
            rho = 0.9,
            eps = 1e-7;
        double p = 1,
            a = 0;
        var expected = new List<double[]>();
        for (int t = 0; t < 3; t++)
        {
            double g = 2 * p;
            a = rho * a + (1 - rho) * g * g;
            p -= lr * g / (Math.Sqrt(a) + eps);
            expected.Add([p]);
        }
        // by hand, step 1: a = 0.4, p = 1 − 0.02/(0.6324555 + 1e-7) = 0.96837723
        expected[0][0].Should().BeApproximately(0.96837723, 1e-8);
        ShouldMatch(Run(new RMSprop(0.01f), [1f], Quadratic, 3), expected);
    }

    [Fact]
    public void Rmsprop_epsilon_matters_only_outside_the_root()
    {
        // A tiny gradient: with ε inside the root the step would be lr·g/√(a+ε) ≈ lr·g/√ε, far smaller.
        var trace = Run(new RMSprop(0.01f, epsilon: 1e-3f), [0f], (_, _) => [1e-4f], 1);
        double a = 0.1 * 1e-8;
        ((double)trace[0][0]).Should().BeApproximately(-0.01 * 1e-4 / (Math.Sqrt(a) + 1e-3), 1e-9);
    }

    private static List<double[]> AdamReference(
        double[] gradients,
        double lr,
        bool amsgrad,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double eps = 1e-7
    )
    {
        double p = 1,
            m = 0,
            v = 0,
            vHat = 0;
        var result = new List<double[]>();
        for (int t = 1; t <= gradients.Length; t++)
        {
            double g = gradients[t - 1];
            m = beta1 * m + (1 - beta1) * g;
            v = beta2 * v + (1 - beta2) * g * g;
            vHat = Math.Max(vHat, v);
            double lrT = lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t));
            p -= lrT * m / (Math.Sqrt(amsgrad ? vHat : v) + eps);
            result.Add([p]);
        }
        return result;
    }

    [Fact]
    public void Adam_first_step_moves_by_about_lr_times_sign_of_g()
    {
        // m = 0.2, v = 0.004, lr_t = 0.1·√0.001/0.1; step = lr_t·0.2/(√0.004 + 1e-7) = 0.09999984
        var trace = Run(new Adam(0.1f), [1f], (_, _) => [2f], 1);
        ((double)trace[0][0]).Should().BeApproximately(1 - 0.0999998419, 1e-6);
    }

    [Fact]
    public void Adam_three_steps_follow_the_bias_corrected_rule()
    {
        double[] g = [2, -1, 0.5];
        var trace = Run(new Adam(0.1f), [1f], (_, t) => [(float)g[t - 1]], 3);
        ShouldMatch(trace, AdamReference(g, 0.1, amsgrad: false));
    }

    [Fact]
    public void Amsgrad_keeps_the_largest_second_moment()
    {
        // v falls after a large first gradient; AMSGrad divides by the old, larger v̂.
        double[] g = [10, 0.1, 0.1];
        var plain = Run(new Adam(0.1f), [1f], (_, t) => [(float)g[t - 1]], 3);
        var ams = Run(new Adam(0.1f, amsgrad: true), [1f], (_, t) => [(float)g[t - 1]], 3);
        ShouldMatch(ams, AdamReference(g, 0.1, amsgrad: true));
        ShouldMatch(plain, AdamReference(g, 0.1, amsgrad: false));
        ams[2][0].Should().NotBe(plain[2][0]);
    }

    [Fact]
    public void Adam_with_decay_uses_the_decayed_rate_in_lr_t()
    {
        double[] g = [1, 1, 1];
        var trace = Run(new Adam(0.1f, decay: 1f), [1f], (_, t) => [(float)g[t - 1]], 3);
        // lr at step t is 0.1/t; replay the reference with a per-step rate.
        double p = 1,
            m = 0,
            v = 0;
        var expected = new List<double[]>();
        for (int t = 1; t <= 3; t++)
        {
            m = 0.9 * m + 0.1 * g[t - 1];
            v = 0.999 * v + 0.001 * g[t - 1] * g[t - 1];
            double lrT = 0.1 / t * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            p -= lrT * m / (Math.Sqrt(v) + 1e-7);
            expected.Add([p]);
        }
        ShouldMatch(trace, expected);
    }

    [Fact]
    public void Clipnorm_uses_one_global_norm_over_all_parameters()
    {
        // Gradients (3) and (4): global norm 5, clipnorm 1 → (0.6) and (0.8). Per-variable clipping
        // (tf.keras) would give (1) and (1) instead.
        var a = new Parameter("a", Tensor.FromArray([3f]));
        var b = new Parameter("b", Tensor.FromArray([4f]));
        var sgd = new SGD(1f, clipNorm: 1f);
        for (int t = 1; t <= 3; t++)
        {
            a.Gradient.Data[0] = 3;
            b.Gradient.Data[0] = 4;
            sgd.Step([a, b]);
            ((double)a.Value.Data[0]).Should().BeApproximately(3 - 0.6 * t, 1e-6);
            ((double)b.Value.Data[0]).Should().BeApproximately(4 - 0.8 * t, 1e-6);
        }
        ((double)sgd.LastGradientNorm).Should().BeApproximately(5, 1e-6);
        a.Gradient.Data[0].Should().Be(3f, "the raw gradient is left as it was");
    }

    [Fact]
    public void Clipnorm_leaves_gradients_below_the_threshold_alone()
    {
        var trace = Run(new SGD(1f, clipNorm: 10f), [0f, 0f], (_, _) => [3f, 4f], 2);
        ShouldMatch(
            trace,
            [
                [-3, -4],
                [-6, -8],
            ]
        );
    }

    [Fact]
    public void Clipvalue_clips_each_element()
    {
        var trace = Run(new SGD(1f, clipValue: 1f), [0f, 0f, 0f], (_, _) => [-3f, 0.5f, 2f], 3);
        ShouldMatch(
            trace,
            [
                [1, -0.5, -1],
                [2, -1, -2],
                [3, -1.5, -3],
            ]
        );
    }

    [Fact]
    public void Clipnorm_is_applied_before_clipvalue()
    {
        // (3, 4) → clipnorm 2.5 → (1.5, 2.0) → clipvalue 1.8 → (1.5, 1.8).
        // The other order would give (1.8, 1.8) → norm 2.55 ≥ 2.5 → (1.77, 1.77).
        var trace = Run(new SGD(1f, clipNorm: 2.5f, clipValue: 1.8f), [0f, 0f], (_, _) => [3f, 4f], 3);
        ShouldMatch(
            trace,
            [
                [-1.5, -1.8],
                [-3.0, -3.6],
                [-4.5, -5.4],
            ]
        );
    }

    [Fact]
    public void Clipping_feeds_the_moments_of_adam()
    {
        // With clipValue 1 the gradients 10, 20, 30 all enter m and v as 1: the run equals Adam on (1, 1, 1).
        double[] raw = [10, 20, 30];
        var clipped = Run(new Adam(0.1f, clipValue: 1f), [1f], (_, t) => [(float)raw[t - 1]], 3);
        ShouldMatch(clipped, AdamReference([1, 1, 1], 0.1, amsgrad: false));
    }

    [Fact]
    public void Non_trainable_parameters_are_not_updated()
    {
        var frozen = new Parameter("frozen", Tensor.FromArray([1f]), trainable: false);
        frozen.Gradient.Data[0] = 5;
        new SGD(0.1f).Step([frozen]);
        frozen.Value.Data[0].Should().Be(1f);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    [InlineData("adam")]
    public void Vectorised_and_scalar_paths_give_identical_updates(string name)
    {
        // 19 elements: whole SIMD vectors plus a scalar tail. Same gradient everywhere → same values.
        var optimizer = name switch
        {
            "sgd" => new SGD(0.05f, momentum: 0.9f, nesterov: true),
            "rmsprop" => (Optimizer)new RMSprop(0.01f),
            _ => new Adam(0.01f, amsgrad: true),
        };
        var trace = Run(
            optimizer,
            Enumerable.Repeat(0.7f, 19).ToArray(),
            (p, t) => p.Select(v => v * v - 0.3f).ToArray(),
            5
        );
        foreach (var step in trace)
            step.Should().AllBeEquivalentTo(step[0]);
    }

    [Fact]
    public void Keras_defaults_by_name()
    {
        var adam = (Adam)Optimizer.FromName("adam");
        (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.Amsgrad)
            .Should()
            .Be((0.001f, 0.9f, 0.999f, 1e-7f, false));
        var rms = (RMSprop)Optimizer.FromName("RMSprop");
        (rms.LearningRate, rms.Rho, rms.Epsilon).Should().Be((0.001f, 0.9f, 1e-7f));
        var sgd = (SGD)Optimizer.FromName("sgd");
        (sgd.LearningRate, sgd.Momentum, sgd.Nesterov, sgd.Decay).Should().Be((0.01f, 0f, false, 0f));
        var act = () => Optimizer.FromName("adagrad");
        act.Should().Throw<ArgumentException>().WithMessage("*adagrad*Known: sgd, rmsprop, adam*");
    }

    [Fact]
    public void Config_round_trips_through_from_config()
    {
        var adam = new Adam(0.02f, 0.8f, 0.99f, 1e-6f, amsgrad: true, decay: 0.01f, clipNorm: 1f, clipValue: 0.5f);
        var copy = (Adam)Optimizer.FromConfig("Adam", adam.GetConfig());
        (
            copy.LearningRate,
            copy.Beta1,
            copy.Beta2,
            copy.Epsilon,
            copy.Amsgrad,
            copy.Decay,
            copy.ClipNorm,
            copy.ClipValue
        )
            .Should()
            .Be((0.02f, 0.8f, 0.99f, 1e-6f, true, 0.01f, 1f, 0.5f));
        adam.ToString().Should().StartWith("Adam(learning_rate=0.02, decay=0.01, clipnorm=1, clipvalue=0.5");
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_the_argument_named()
    {
        FluentActions
            .Invoking(() => new SGD(-1f))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*learning rate*");
        FluentActions
            .Invoking(() => new Adam(beta1: 1f))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*beta1*");
        FluentActions
            .Invoking(() => new RMSprop(clipNorm: 0f))
            .Should()
            .Throw<ArgumentOutOfRangeException>()
            .WithMessage("*clipNorm*");
    }
}
