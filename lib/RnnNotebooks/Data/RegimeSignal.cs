using RnnNotebooks.Tensors;

namespace RnnNotebooks.Data;

/// <summary>
/// One long noisy signal cut into consecutive windows, for comparing stateless and stateful RNNs.
/// <para>
/// A hidden regime z ∈ {0, 1} holds for a whole window and flips between windows with probability
/// <see cref="SwitchProbability"/>. Every step of a window reads x_t = ±<see cref="Signal"/> + ε_t
/// (+ when z = 1), ε_t ~ N(0, 1). The label of window k is its regime z_k. One window alone carries
/// little evidence; the windows before it carry more, because the regime usually persists. So a model
/// that carries its state from one window to the next can beat any model that sees one window only.
/// </para>
/// </summary>
/// <param name="X">(windows, steps, 1) readings, in stream order.</param>
/// <param name="Y">(windows, 1) labels: the regime of each window, 0 or 1.</param>
/// <param name="Regimes">The same labels as integers.</param>
/// <param name="Signal">Mean reading |μ| (noise standard deviation 1).</param>
/// <param name="SwitchProbability">Probability q that the regime flips between two windows.</param>
public sealed record RegimeSignal(Tensor X, Tensor Y, int[] Regimes, double Signal, double SwitchProbability)
{
    /// <summary>Number of windows.</summary>
    public int Windows => Regimes.Length;

    /// <summary>Steps per window.</summary>
    public int Steps => X.Shape[1];

    /// <summary>
    /// Draws a stream of <paramref name="windows"/> windows of <paramref name="steps"/> readings. The first
    /// regime is 0 or 1 with equal probability. Deterministic for a given <paramref name="seed"/>.
    /// </summary>
    public static RegimeSignal Generate(int windows, int steps, double signal, double switchProbability, ulong seed)
    {
        if (windows < 1)
            throw new ArgumentOutOfRangeException(nameof(windows), windows, "Need at least one window.");
        if (steps < 1)
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "Need at least one step per window.");
        if (!(signal > 0) || !double.IsFinite(signal))
            throw new ArgumentOutOfRangeException(nameof(signal), signal, "The signal must be a positive number.");
        if (!(switchProbability >= 0 && switchProbability <= 0.5))
            throw new ArgumentOutOfRangeException(
                nameof(switchProbability),
                switchProbability,
                "The switch probability must be in [0, 0.5]."
            );
        var rng = new SeededRandom(seed);
        var x = new Tensor(windows, steps, 1);
        var y = new Tensor(windows, 1);
        var regimes = new int[windows];
        int z = rng.NextDouble() < 0.5 ? 1 : 0;
        for (int k = 0; k < windows; k++)
        {
            if (k > 0 && rng.NextDouble() < switchProbability)
                z = 1 - z;
            regimes[k] = z;
            y.Data[k] = z;
            double mean = z == 1 ? signal : -signal;
            for (int t = 0; t < steps; t++)
                x.Data[k * steps + t] = (float)(mean + rng.NextNormal());
        }
        return new RegimeSignal(x, y, regimes, signal, switchProbability);
    }

    /// <summary>
    /// The best any model can do that sees one window only: the window's readings are summed and the sign
    /// decides (the likelihood ratio depends on the sum alone and both regimes are equally likely a priori).
    /// Returns the predicted regimes.
    /// </summary>
    public int[] WindowOnlyPredictions()
    {
        var predictions = new int[Windows];
        for (int k = 0; k < Windows; k++)
            predictions[k] = WindowSum(k) > 0 ? 1 : 0;
        return predictions;
    }

    /// <summary>
    /// The best any model can do that has read every window so far: the forward (filtering) recursion of the
    /// two-state hidden Markov model, starting from P(z = 1) = ½; predicts 1 where P(z_k = 1 | x_1..x_k) &gt; ½.
    /// </summary>
    public int[] FilterPredictions()
    {
        var predictions = new int[Windows];
        double q = SwitchProbability;
        double logOdds = 0;
        for (int k = 0; k < Windows; k++)
        {
            if (k > 0)
            {
                double p = Logistic(logOdds);
                p = p * (1 - q) + (1 - p) * q;
                logOdds = Math.Log(p / (1 - p));
            }
            // log N(x; μ, 1) − log N(x; −μ, 1) = 2μx, summed over the window.
            logOdds += 2 * Signal * WindowSum(k);
            predictions[k] = logOdds > 0 ? 1 : 0;
        }
        return predictions;
    }

    /// <summary>The fraction of windows where <paramref name="predictions"/> equals the regime.</summary>
    public double Accuracy(IReadOnlyList<int> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Count != Windows)
            throw new ArgumentException(
                $"Expected {Windows} predictions (one per window), got {predictions.Count}.",
                nameof(predictions)
            );
        int correct = 0;
        for (int k = 0; k < Windows; k++)
            if (predictions[k] == Regimes[k])
                correct++;
        return correct / (double)Windows;
    }

    /// <summary>
    /// Expected accuracy of <see cref="WindowOnlyPredictions"/>: Φ(μ·√T), the probability that T readings of
    /// mean μ and unit variance sum to the right sign.
    /// </summary>
    public static double ExpectedWindowOnlyAccuracy(int steps, double signal) => NormalCdf(signal * Math.Sqrt(steps));

    /// <summary>The standard normal distribution function Φ(x) (absolute error below 2·10⁻⁷).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    private double WindowSum(int k)
    {
        double sum = 0;
        var span = X.Data.AsSpan(k * Steps, Steps);
        foreach (float v in span)
            sum += v;
        return sum;
    }

    private static double Logistic(double v) => 1 / (1 + Math.Exp(-v));

    // Complementary error function, Numerical Recipes' erfcc (Chebyshev fit, fractional error < 1.2e-7).
    private static readonly double[] ErfcCoefficients =
    [
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277,
    ];

    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double poly = 0;
        for (int i = ErfcCoefficients.Length - 1; i >= 0; i--)
            poly = ErfcCoefficients[i] + t * poly;
        double r = t * Math.Exp(-z * z + poly);
        return x >= 0 ? r : 2 - r;
    }
}
