using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// An independent, deliberately plain double-precision implementation of the Keras 2.x cell
/// equations (docs/keras-semantics.md#simplernn, docs/keras-semantics.md#lstm, docs/keras-semantics.md#gru), one sample and one
/// step at a time, to check the layers'
/// forward passes against.
/// </summary>
internal static class ReferenceRnn
{
    public sealed record Result(double[,,] Sequence, double[][,] FinalStates);

    public static double Act(string name, double x) =>
        name switch
        {
            "tanh" => Math.Tanh(x),
            "sigmoid" => 1 / (1 + Math.Exp(-x)),
            "hard_sigmoid" => Math.Clamp(0.2 * x + 0.5, 0, 1),
            "relu" => Math.Max(0, x),
            "linear" => x,
            _ => throw new ArgumentException(name),
        };

    /// <summary>
    /// Runs a cell over x (B, T, I). kind: "simple", "lstm", "gru", "gru_after". Weights in Keras
    /// layout. Sequence is in processing order (as Keras returns it); states as [h] or [h, c].
    /// </summary>
    public static Result Run(
        string kind,
        Tensor x,
        Tensor kernel,
        Tensor recurrent,
        Tensor? bias,
        int units,
        string activation = "tanh",
        string recurrentActivation = "hard_sigmoid",
        bool goBackwards = false,
        Tensor[]? initial = null,
        Tensor[]? inputMasks = null,
        Tensor[]? recurrentMasks = null
    )
    {
        int batch = x.Shape[0],
            steps = x.Shape[1],
            inputDim = x.Shape[2],
            u = units;
        int stateCount = kind == "lstm" ? 2 : 1;
        var sequence = new double[batch, steps, u];
        var finals = new double[stateCount][,];
        for (int k = 0; k < stateCount; k++)
            finals[k] = new double[batch, u];
        double W(int i, int col) => kernel[i, col];
        double U(int i, int col) => recurrent[i, col];
        double B(int col) =>
            bias is null ? 0
            : bias.Rank == 1 ? bias[col]
            : bias[0, col];
        double RB(int col) => bias is null || bias.Rank == 1 ? 0 : bias[1, col];

        for (int b = 0; b < batch; b++)
        {
            var h = new double[u];
            var c = new double[u];
            if (initial is not null)
                for (int j = 0; j < u; j++)
                {
                    h[j] = initial[0][b, j];
                    if (stateCount == 2)
                        c[j] = initial[1][b, j];
                }
            for (int step = 0; step < steps; step++)
            {
                int t = goBackwards ? steps - 1 - step : step;
                // xg(g, j): x_t ⊙ mask_g · W_g column j;  hg(g, v, j): (v ⊙ rmask_g) · U_g column j
                double XW(int g, int j)
                {
                    double s = 0;
                    for (int i = 0; i < inputDim; i++)
                        s += x[b, t, i] * (inputMasks is null ? 1 : inputMasks[g][b, i]) * W(i, g * u + j);
                    return s;
                }
                double HU(int g, double[] v, int j)
                {
                    double s = 0;
                    for (int i = 0; i < u; i++)
                        s += v[i] * (recurrentMasks is null ? 1 : recurrentMasks[g][b, i]) * U(i, g * u + j);
                    return s;
                }
                var hNew = new double[u];
                var cNew = new double[u];
                switch (kind)
                {
                    case "simple":
                        for (int j = 0; j < u; j++)
                            hNew[j] = Act(activation, XW(0, j) + B(j) + HU(0, h, j));
                        break;
                    case "lstm":
                        for (int j = 0; j < u; j++)
                        {
                            double i = Act(recurrentActivation, XW(0, j) + B(j) + HU(0, h, j));
                            double f = Act(recurrentActivation, XW(1, j) + B(u + j) + HU(1, h, j));
                            double g = Act(activation, XW(2, j) + B(2 * u + j) + HU(2, h, j));
                            double o = Act(recurrentActivation, XW(3, j) + B(3 * u + j) + HU(3, h, j));
                            cNew[j] = f * c[j] + i * g;
                            hNew[j] = o * Act(activation, cNew[j]);
                        }
                        break;
                    case "gru":
                    {
                        var z = new double[u];
                        var r = new double[u];
                        for (int j = 0; j < u; j++)
                        {
                            z[j] = Act(recurrentActivation, XW(0, j) + B(j) + HU(0, h, j));
                            r[j] = Act(recurrentActivation, XW(1, j) + B(u + j) + HU(1, h, j));
                        }
                        var rh = new double[u];
                        for (int j = 0; j < u; j++)
                            rh[j] = r[j] * h[j];
                        for (int j = 0; j < u; j++)
                        {
                            double hh = Act(activation, XW(2, j) + B(2 * u + j) + HU(2, rh, j));
                            hNew[j] = z[j] * h[j] + (1 - z[j]) * hh;
                        }
                        break;
                    }
                    case "gru_after":
                        for (int j = 0; j < u; j++)
                        {
                            double z = Act(recurrentActivation, XW(0, j) + B(j) + HU(0, h, j) + RB(j));
                            double r = Act(recurrentActivation, XW(1, j) + B(u + j) + HU(1, h, j) + RB(u + j));
                            double hh = Act(activation, XW(2, j) + B(2 * u + j) + r * (HU(2, h, j) + RB(2 * u + j)));
                            hNew[j] = z * h[j] + (1 - z) * hh;
                        }
                        break;
                    default:
                        throw new ArgumentException(kind);
                }
                h = hNew;
                if (kind == "lstm")
                    c = cNew;
                for (int j = 0; j < u; j++)
                    sequence[b, step, j] = h[j];
            }
            for (int j = 0; j < u; j++)
            {
                finals[0][b, j] = h[j];
                if (stateCount == 2)
                    finals[1][b, j] = c[j];
            }
        }
        return new Result(sequence, finals);
    }
}

/// <summary>Random tensors and comparisons for the recurrent tests.</summary>
internal static class Rnd
{
    public static Tensor Uniform(SeededRandom rng, float scale, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++)
            t.Data[i] = rng.Uniform(-scale, scale);
        return t;
    }

    public static double Dot(Tensor a, Tensor b)
    {
        a.Shape.Should().Equal(b.Shape);
        double s = 0;
        for (int i = 0; i < a.Size; i++)
            s += (double)a.Data[i] * b.Data[i];
        return s;
    }

    public static void ShouldBeClose(Tensor actual, double[,,] expected, double tolerance)
    {
        actual.Shape.Should().Equal(expected.GetLength(0), expected.GetLength(1), expected.GetLength(2));
        for (int i = 0; i < expected.GetLength(0); i++)
        for (int j = 0; j < expected.GetLength(1); j++)
        for (int k = 0; k < expected.GetLength(2); k++)
            ((double)actual[i, j, k])
                .Should()
                .BeApproximately(expected[i, j, k], tolerance, $"element ({i}, {j}, {k})");
    }

    public static void ShouldBeClose(Tensor actual, double[,] expected, double tolerance)
    {
        actual.Shape.Should().Equal(expected.GetLength(0), expected.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
        for (int j = 0; j < expected.GetLength(1); j++)
            ((double)actual[i, j]).Should().BeApproximately(expected[i, j], tolerance, $"element ({i}, {j})");
    }

    /// <summary>The last processed step of a (B, T, u) sequence, (B, u).</summary>
    public static double[,] Last(double[,,] sequence)
    {
        int b = sequence.GetLength(0),
            t = sequence.GetLength(1),
            u = sequence.GetLength(2);
        var last = new double[b, u];
        for (int i = 0; i < b; i++)
        for (int j = 0; j < u; j++)
            last[i, j] = sequence[i, t - 1, j];
        return last;
    }
}

/// <summary>
/// Central-difference gradient check of a recurrent layer (or Bidirectional). The loss is
/// L = Σ wOut ⊙ output + Σ_k wState_k ⊙ finalState_k with fixed random weights, so ∂L/∂output =
/// wOut and ∂L/∂finalState_k = wState_k. Every loss evaluation builds a fresh layer from the
/// same seed (so dropout draws the same masks), sets the current weights and runs one call.
/// </summary>
internal sealed class GradientProbe
{
    private readonly Func<Layer> _create;
    private readonly Tensor[] _weights;
    private readonly Tensor _input;
    private readonly Tensor[]? _start;
    private readonly bool _startIsCarried;
    private readonly bool _training;
    private Tensor _outputWeights = null!;
    private Tensor[] _stateWeights = null!;

    /// <param name="create">Makes the layer and builds it with a fixed seed.</param>
    /// <param name="start">Initial states, passed to Call, or set as the carried states of a stateful layer when <paramref name="startIsCarried"/>.</param>
    public GradientProbe(
        Func<Layer> create,
        Tensor input,
        Tensor[]? start = null,
        bool startIsCarried = false,
        bool training = false,
        float weightScale = 0f,
        ulong seed = 1
    )
    {
        _create = create;
        _input = input;
        _start = start;
        _startIsCarried = startIsCarried;
        _training = training;
        var layer = create();
        _weights = layer.GetWeights();
        var rng = new SeededRandom(seed);
        if (weightScale > 0)
            foreach (var w in _weights)
                for (int i = 0; i < w.Size; i++)
                    w.Data[i] = rng.Uniform(-weightScale, weightScale);
        var output = Run(layer);
        _outputWeights = Rnd.Uniform(rng, 1f, output.Output.Shape);
        _stateWeights = output.States.Select(s => Rnd.Uniform(rng, 1f, s.Shape)).ToArray();
    }

    public Tensor[] Weights => _weights;

    public double Loss()
    {
        var output = Run(Prepared());
        double loss = Rnd.Dot(output.Output, _outputWeights);
        for (int k = 0; k < output.States.Length; k++)
            loss += Rnd.Dot(output.States[k], _stateWeights[k]);
        return loss;
    }

    /// <summary>The layer after one forward call with the current weights (to look at internals).</summary>
    public (Layer Layer, RecurrentOutput Output) Forward(bool recordInternals = false)
    {
        var layer = Prepared();
        if (layer is RecurrentLayer recurrent)
            recurrent.RecordInternals = recordInternals;
        return (layer, Run(layer));
    }

    /// <summary>Analytic gradients: per weight, input, initial states; plus the layer (for StateGradients).</summary>
    public (Tensor[] Weights, Tensor Input, Tensor[] Start, Layer Layer) Analytic()
    {
        var layer = Prepared();
        Run(layer);
        var (dx, dStart) = layer switch
        {
            RecurrentLayer r => r.BackwardThroughTime(_outputWeights, _stateWeights),
            Bidirectional b => b.BackwardThroughTime(_outputWeights, _stateWeights),
            _ => throw new ArgumentException("not recurrent"),
        };
        return (layer.Parameters.Select(p => p.Gradient.Clone()).ToArray(), dx, dStart, layer);
    }

    /// <summary>
    /// Compares every analytic entry with (L(v+ε) − L(v−ε)) / 2ε. Inputs are sampled every
    /// <paramref name="inputStride"/>-th entry to keep big batches fast.
    /// </summary>
    public void Check(float epsilon = 1e-2f, double absolute = 2e-3, double relative = 1e-2, int inputStride = 1)
    {
        var (weightGrads, inputGrad, startGrads, _) = Analytic();
        for (int w = 0; w < _weights.Length; w++)
            CheckTensor($"weight {w}", _weights[w], weightGrads[w], epsilon, absolute, relative, 1);
        CheckTensor("input", _input, inputGrad, epsilon, absolute, relative, inputStride);
        if (_start is not null)
            for (int k = 0; k < _start.Length; k++)
                CheckTensor($"initial state {k}", _start[k], startGrads[k], epsilon, absolute, relative, 1);
    }

    private void CheckTensor(
        string what,
        Tensor values,
        Tensor analytic,
        float epsilon,
        double absolute,
        double relative,
        int stride
    )
    {
        analytic.Shape.Should().Equal(values.Shape, what);
        double largest = 0;
        for (int i = 0; i < values.Size; i += stride)
        {
            float saved = values.Data[i];
            values.Data[i] = saved + epsilon;
            double plus = Loss();
            values.Data[i] = saved - epsilon;
            double minus = Loss();
            values.Data[i] = saved;
            double numeric = (plus - minus) / (2 * (double)epsilon);
            double a = analytic.Data[i];
            largest = Math.Max(largest, Math.Abs(numeric));
            Math.Abs(a - numeric)
                .Should()
                .BeLessThanOrEqualTo(
                    absolute + relative * Math.Max(Math.Abs(a), Math.Abs(numeric)),
                    $"∂L/∂{what}[{i}]: analytic {a} vs numeric {numeric}"
                );
        }
        largest.Should().BeGreaterThan(0, $"the loss should depend on {what}");
    }

    private Layer Prepared()
    {
        var layer = _create();
        layer.SetWeights(_weights);
        if (_startIsCarried)
            ((RecurrentLayer)layer).ResetStates(_start!);
        return layer;
    }

    private RecurrentOutput Run(Layer layer)
    {
        var initial = _startIsCarried ? null : _start;
        return layer switch
        {
            RecurrentLayer r => r.Call(_input, initial, _training),
            Bidirectional b => b.Call(_input, initial, _training),
            _ => throw new ArgumentException("not recurrent"),
        };
    }
}
