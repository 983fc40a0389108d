using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// The fused step kernels (<see cref="StepKernels"/>, one pass per step and direction) against the
/// cells' reference steps (one pass per operation, <c>ReferenceStep</c>/<c>ReferenceBackwardStep</c>,
/// run when a cell has no kernels): byte for byte, on both vector widths, for every cell, activation,
/// recurrent activation and layer option. Bit identity, not closeness: the fast path must not move a
/// single notebook number.
/// </summary>
public class FusedStepTests
{
    private static readonly string[] ActivationNames = ["tanh", "sigmoid", "hard_sigmoid", "relu", "linear"];

    private static readonly ActivationKind[] Kinds =
    [
        ActivationKind.Tanh,
        ActivationKind.Sigmoid,
        ActivationKind.HardSigmoid,
        ActivationKind.Relu,
        ActivationKind.Linear,
    ];

    public enum CellKind
    {
        Simple,
        Lstm,
        Gru,
        GruResetAfter,
    }

    /// <summary>One layer configuration; batch 40 runs as two shards of 20, units 3 and 5 give blocks that end in a partial vector.</summary>
    public sealed record Setup(
        string Name,
        bool ReturnSequences = false,
        bool GoBackwards = false,
        float Dropout = 0f,
        float RecurrentDropout = 0f,
        bool StepMask = false,
        bool InitialState = false,
        bool Stateful = false,
        bool UseBias = true,
        bool Bidirectional = false,
        int Batch = 7,
        int Units = 3,
        int Steps = 6
    )
    {
        public override string ToString() => Name;
    }

    private static readonly Setup[] Setups =
    [
        new("plain"),
        new("sequences, two shards", ReturnSequences: true, Batch: 40, Units: 5),
        new("go_backwards", ReturnSequences: true, GoBackwards: true),
        new("input dropout", Dropout: 0.3f, ReturnSequences: true),
        new("recurrent dropout", RecurrentDropout: 0.4f, Batch: 40, Units: 5),
        new("both dropouts, backwards", Dropout: 0.25f, RecurrentDropout: 0.25f, GoBackwards: true),
        new("step mask", StepMask: true, ReturnSequences: true, Batch: 9, Units: 4),
        new("initial and final states", InitialState: true),
        new("stateful", Stateful: true, ReturnSequences: true, Batch: 5),
        new("no bias", UseBias: false, ReturnSequences: true),
        new("bidirectional, mask, dropout", Bidirectional: true, StepMask: true, RecurrentDropout: 0.3f, Units: 4),
        new("16 units", ReturnSequences: true, Batch: 9, Units: 16, Steps: 4),
    ];

    /// <summary>
    /// Three shards of 23–24 rows, 32 units (blocks of whole vectors), dropout on: the shape the
    /// notebooks and the benchmark train, run with default activations on the machine's own width.
    /// </summary>
    private static readonly Setup BenchmarkLike = new(
        "benchmark-like",
        ReturnSequences: true,
        Dropout: 0.2f,
        RecurrentDropout: 0.2f,
        Batch: 70,
        Units: 32,
        Steps: 20
    );

    public static TheoryData<CellKind, string, int> Cases()
    {
        var data = new TheoryData<CellKind, string, int>();
        foreach (var cell in Enum.GetValues<CellKind>())
        foreach (var setup in Setups)
        foreach (int bits in new[] { 256, 512 })
            data.Add(cell, setup.Name, bits);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_steps_give_the_reference_steps_bytes_for_every_activation(
        CellKind cell,
        string setupName,
        int bits
    )
    {
        if (!Accelerated(bits))
            return;
        var setup = Setups.Single(s => s.Name == setupName);
        var gateNames = cell == CellKind.Simple ? ["tanh"] : ActivationNames;
        foreach (string activation in ActivationNames)
        foreach (string recurrentActivation in gateNames)
        {
            var reference = Run(cell, activation, recurrentActivation, setup, bits: null);
            var fused = Run(cell, activation, recurrentActivation, setup, bits);
            fused.Keys.Should().Equal(reference.Keys);
            foreach (var (name, expected) in reference)
            {
                fused[name]
                    .Should()
                    .Equal(
                        expected,
                        $"{name} of {cell}(activation {activation}, recurrent {recurrentActivation}), {setup.Name}, {bits} bits"
                    );
            }
        }
    }

    [Theory]
    [InlineData(CellKind.Simple)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.GruResetAfter)]
    public void A_benchmark_shaped_layer_trains_to_the_same_bytes_with_the_fast_path_switched_off(CellKind cell)
    {
        var setup = BenchmarkLike;
        var fast = Run(cell, "tanh", "hard_sigmoid", setup, bits: 0);
        var reference = Run(cell, "tanh", "hard_sigmoid", setup, bits: null);
        fast.Should().ContainKey("grad kernel");
        foreach (var (name, expected) in reference)
            fast[name].Should().Equal(expected, name);
    }

    /// <summary>
    /// The input projection and the gradient products run a block of timesteps at a time
    /// (<see cref="RecurrentLayer.BlockRows"/>); each weight gradient stays one chain over the rows in
    /// order, so one timestep per block, a few, or the whole sequence at once (these small layers' default)
    /// give the same bytes: outputs, states, internals and every gradient.
    /// </summary>
    [Theory]
    [InlineData(CellKind.Simple)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.GruResetAfter)]
    public void Blocks_of_timesteps_of_any_size_give_the_whole_sequences_bytes(CellKind cell)
    {
        var setups = Setups.Append(BenchmarkLike);
        foreach (var setup in setups)
        {
            var whole = Run(cell, "tanh", "hard_sigmoid", setup, bits: 0, blockRows: int.MaxValue);
            foreach (int rows in new[] { 1, 15, 40, RecurrentLayer.DefaultBlockRows })
            {
                var blocked = Run(cell, "tanh", "hard_sigmoid", setup, bits: 0, blockRows: rows);
                blocked.Keys.Should().Equal(whole.Keys);
                foreach (var (name, expected) in whole)
                    blocked[name].Should().Equal(expected, $"{name} of {cell}, {setup.Name}, {rows} rows per block");
            }
        }
    }

    [Fact]
    public void Cells_use_the_fused_kernels_where_vectors_are_accelerated()
    {
        bool accelerated = System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;
        new LSTM(4).Cell.Kernels.Should().Match<StepKernels?>(k => (k != null) == accelerated);
        new GRU(4, resetAfter: true).Cell.Kernels.Should().Match<StepKernels?>(k => (k != null) == accelerated);
        new SimpleRNN(4, activation: "relu").Cell.Kernels.Should().Match<StepKernels?>(k => (k != null) == accelerated);
    }

    /// <summary>
    /// Builds and runs one layer, the reference steps (<paramref name="bits"/> null), the kernels of the
    /// machine (0) or those of one width, and returns every number it produced, as bit patterns.
    /// </summary>
    private static Dictionary<string, int[]> Run(
        CellKind cell,
        string activation,
        string recurrentActivation,
        Setup setup,
        int? bits,
        int? blockRows = null
    )
    {
        int inputDim = 4;
        Layer layer = setup.Bidirectional
            ? new Bidirectional(Make(cell, activation, recurrentActivation, setup))
            : Make(cell, activation, recurrentActivation, setup);
        var inners = layer is Bidirectional b ? new[] { b.ForwardLayer, b.BackwardLayer } : [(RecurrentLayer)layer];
        layer.Build(new TensorShape(setup.Stateful ? setup.Batch : null, setup.Steps, inputDim), new SeededRandom(11));
        var weights = new SeededRandom(12);
        foreach (var inner in inners)
        {
            inner.RecordInternals = true;
            if (blockRows is int rows)
                inner.BlockRows = rows;
            // Random biases (the defaults are zeros, and LSTM's forget bias ones) reach every bias path.
            if (inner.Bias is { } bias)
                for (int i = 0; i < bias.Value.Size; i++)
                    bias.Value.Data[i] = weights.Uniform(-1f, 1f);
            var cellOfLayer = inner.Cell;
            cellOfLayer.Kernels = bits switch
            {
                null => null,
                0 => cellOfLayer.Kernels,
                _ => StepKernels.For(GateKind(cellOfLayer), cellOfLayer.Activation, bits.Value),
            };
            if (bits == 0)
                (cellOfLayer.Kernels is not null)
                    .Should()
                    .Be(
                        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated,
                        "the kernels run where vectors are accelerated"
                    );
        }

        var rng = new SeededRandom(5);
        var result = new Dictionary<string, int[]>();
        bool training = setup.Dropout > 0f || setup.RecurrentDropout > 0f;
        int calls = setup.Stateful ? 2 : 1;
        for (int call = 0; call < calls; call++)
        {
            string tag = $"call {call} ";
            // Inputs up to ±3 drive hard_sigmoid into its clipped ends and relu below zero.
            var x = Rnd.Uniform(rng, 3f, setup.Batch, setup.Steps, inputDim);
            Tensor? mask = setup.StepMask ? StepMask(setup.Batch, setup.Steps) : null;
            int stateCount = inners[0].StateCount * inners.Length;
            Tensor[]? initial = setup.InitialState
                ? Enumerable.Range(0, stateCount).Select(_ => Rnd.Uniform(rng, 1f, setup.Batch, setup.Units)).ToArray()
                : null;

            RecurrentOutput output = layer is Bidirectional bi
                ? bi.Call(x, initial, training, mask)
                : ((RecurrentLayer)layer).Call(x, initial, training, mask);
            result[tag + "output"] = Bits(output.Output);
            for (int k = 0; k < output.States.Length; k++)
                result[tag + $"state {k}"] = Bits(output.States[k]);
            for (int l = 0; l < inners.Length; l++)
                foreach (var (name, tensor) in inners[l].LastInternals!)
                    result[tag + $"layer {l} internal {name}"] = Bits(tensor);

            var dy = Rnd.Uniform(rng, 1f, output.Output.Shape);
            Tensor[]? finalGradients = setup.InitialState
                ? output.States.Select(s => Rnd.Uniform(rng, 1f, s.Shape)).ToArray()
                : null;
            var (dx, dInitial) = layer is Bidirectional bb
                ? bb.BackwardThroughTime(dy, finalGradients)
                : ((RecurrentLayer)layer).BackwardThroughTime(dy, finalGradients);
            result[tag + "input gradient"] = Bits(dx);
            for (int k = 0; k < dInitial.Length; k++)
                result[tag + $"initial state gradient {k}"] = Bits(dInitial[k]);
            for (int l = 0; l < inners.Length; l++)
                result[tag + $"layer {l} state gradients"] = Bits(inners[l].StateGradients!);
        }
        foreach (var p in layer.Parameters)
            result["grad " + p.Name] = Bits(p.Gradient);
        return result;
    }

    private static RecurrentLayer Make(CellKind cell, string activation, string recurrentActivation, Setup s) =>
        cell switch
        {
            CellKind.Simple => new SimpleRNN(
                s.Units,
                activation,
                useBias: s.UseBias,
                dropout: s.Dropout,
                recurrentDropout: s.RecurrentDropout,
                returnSequences: s.ReturnSequences,
                goBackwards: s.GoBackwards,
                stateful: s.Stateful
            ),
            CellKind.Lstm => new LSTM(
                s.Units,
                activation,
                recurrentActivation,
                useBias: s.UseBias,
                dropout: s.Dropout,
                recurrentDropout: s.RecurrentDropout,
                returnSequences: s.ReturnSequences,
                goBackwards: s.GoBackwards,
                stateful: s.Stateful
            ),
            _ => new GRU(
                s.Units,
                activation,
                recurrentActivation,
                useBias: s.UseBias,
                dropout: s.Dropout,
                recurrentDropout: s.RecurrentDropout,
                returnSequences: s.ReturnSequences,
                goBackwards: s.GoBackwards,
                stateful: s.Stateful,
                resetAfter: cell == CellKind.GruResetAfter
            ),
        };

    private static ActivationKind GateKind(RecurrentCell cell) =>
        cell switch
        {
            LstmCell lstm => lstm.RecurrentActivation,
            GruCell gru => gru.RecurrentActivation,
            _ => cell.Activation,
        };

    /// <summary>Leading padding in some rows, gaps in others, one row all padding, one row none.</summary>
    private static Tensor StepMask(int batch, int steps)
    {
        var mask = new Tensor(batch, steps);
        for (int r = 0; r < batch; r++)
        for (int t = 0; t < steps; t++)
            mask[r, t] =
                r == 1 ? 0f
                : r == 0 ? 1f
                : (r % 3 == 0 && t < 2) || (r + t) % 4 == 0 ? 0f
                : 1f;
        return mask;
    }

    /// <summary>
    /// A layer's numbers as bit patterns, every NaN as one pattern: once a run overflows (relu gates
    /// in a stateful second call do), which NaN an operation returns from two NaN operands depends on
    /// the order the JIT gives them in the instruction, which no source order fixes (IEEE 754 leaves the
    /// payload open); everything else must match bit for bit.
    /// </summary>
    private static int[] Bits(Tensor t) =>
        t.Data.Select(v => float.IsNaN(v) ? int.MinValue : BitConverter.SingleToInt32Bits(v)).ToArray();

    /// <summary>
    /// Whether vectors of <paramref name="bits"/> run in hardware. Only then do the kernels of that width
    /// run in a cell (elsewhere the cells take their reference steps, whose scalar curves the kernels do
    /// not reproduce), so only then are they compared; on this project's machines both widths are.
    /// </summary>
    private static bool Accelerated(int bits) =>
        bits == 512
            ? System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    // ---- the pieces: activation curves, single-operation loops ----

    /// <summary>
    /// Every 997th float bit pattern (4.3 million values: both signs, subnormals, infinities, NaNs)
    /// and the edges of the curves' branches.
    /// </summary>
    private static float[] SweepOfFloats()
    {
        var values = new List<float>(4_400_000)
        {
            0f,
            -0f,
            float.Epsilon,
            -float.Epsilon,
            float.PositiveInfinity,
            float.NegativeInfinity,
            float.NaN,
            0.625f,
            -0.625f,
            MathF.BitDecrement(0.625f),
            -87.33654f,
            88.37626f,
            -88.37626f,
            43.7f,
            -2.5f,
            2.5f,
            1f,
            -1f,
        };
        for (ulong bitsOfValue = 0; bitsOfValue <= uint.MaxValue; bitsOfValue += 997)
            values.Add(BitConverter.Int32BitsToSingle((int)(uint)bitsOfValue));
        var rng = new SeededRandom(3);
        for (int i = 0; i < 100_000; i++)
            values.Add(rng.Uniform(-20f, 20f));
        values.Add(0.5f); // an odd count: each width ends in a partial vector
        return values.ToArray();
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Lane_activations_give_the_reference_curves_bytes_on_a_sweep_of_all_floats(int bits)
    {
        if (!Accelerated(bits))
            return;
        var x = SweepOfFloats();
        var expected = new float[x.Length];
        var actual = new float[x.Length];
        foreach (var kind in Kinds)
        {
            ActivationFunction.Of(kind).Apply(x, expected);
            StepKernels.For(kind, kind, bits).Activate(x, actual);
            Bits(actual).Should().Equal(Bits(expected), $"{kind} at {bits} bits");
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(512)]
    public void Lane_activations_give_the_reference_bytes_for_every_block_length_and_tail(int bits)
    {
        if (!Accelerated(bits))
            return;
        var rng = new SeededRandom(8);
        foreach (var kind in Kinds)
            for (int n = 1; n <= 40; n++)
            {
                var x = Enumerable.Range(0, n).Select(_ => rng.Uniform(-6f, 6f)).ToArray();
                var dy = Enumerable.Range(0, n).Select(_ => rng.Uniform(-2f, 2f)).ToArray();
                var expected = new float[n];
                var actual = new float[n];
                var function = ActivationFunction.Of(kind);
                var kernels = StepKernels.For(kind, kind, bits);
                function.Apply(x, expected);
                kernels.Activate(x, actual);
                Bits(actual).Should().Equal(Bits(expected), $"{kind} f, {n} elements");

                // The gradient from outputs y = f(x), in place as the backward step runs it.
                var y = expected;
                var expectedGradient = (float[])dy.Clone();
                var actualGradient = (float[])dy.Clone();
                function.Gradient(y, expectedGradient, expectedGradient);
                kernels.ActivationGradient(y, actualGradient, actualGradient);
                Bits(actualGradient).Should().Equal(Bits(expectedGradient), $"{kind} f′, {n} elements");
            }
    }

    [Fact]
    public void Relu_keeps_TensorPrimitives_Max_on_signed_zeros_and_NaN()
    {
        float[] x = [-0f, 0f, float.NaN, -float.NaN, -1e-40f, 1e-40f, -3f, 3f, float.NegativeInfinity];
        var expected = new float[x.Length];
        TensorPrimitives.Max(x, 0f, expected);
        foreach (int bits in new[] { 256, 512 })
        {
            var actual = new float[x.Length];
            StepKernels.For(ActivationKind.Relu, ActivationKind.Relu, bits).Activate(x, actual);
            Bits(actual).Should().Equal(Bits(expected));
        }
        BitConverter.SingleToInt32Bits(expected[0]).Should().Be(0, "max(−0, 0) is +0");
    }

    [Fact]
    public void MultiplyAdd_rounds_the_product_before_adding_as_TensorPrimitives_does()
    {
        // a·a = 1 + 2⁻¹¹ + 2⁻²⁴ exactly; rounded it is 1 + 2⁻¹¹, so (a·a) + c = 0 while a fused
        // multiply-add keeps the 2⁻²⁴.
        float a = 1f + MathF.Pow(2, -12),
            c = -(1f + MathF.Pow(2, -11));
        MathF.FusedMultiplyAdd(a, a, c).Should().Be(MathF.Pow(2, -24), "the case tells fused from unfused");
        var ones = Enumerable.Repeat(a, 37).ToArray();
        var fromTensorPrimitives = Enumerable.Repeat(c, 37).ToArray();
        var fromElementwise = Enumerable.Repeat(c, 37).ToArray();
        TensorPrimitives.MultiplyAdd(ones, ones, fromTensorPrimitives, fromTensorPrimitives);
        Elementwise.MultiplyAdd(ones, ones, fromElementwise);
        fromTensorPrimitives.Should().OnlyContain(v => v == 0f, "System.Numerics.Tensors' MultiplyAdd is (x·y) + z");
        fromElementwise.Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void Elementwise_loops_give_the_TensorPrimitives_bytes_at_every_length()
    {
        var rng = new SeededRandom(9);
        for (int n = 0; n <= 70; n++)
        {
            float[] Draw() => Enumerable.Range(0, n).Select(_ => rng.Uniform(-3f, 3f)).ToArray();
            float[] a = Draw(),
                b = Draw(),
                acc = Draw();

            var expected = new float[n];
            var actual = new float[n];
            TensorPrimitives.Multiply(a, b, expected);
            Elementwise.Multiply(a, b, actual);
            Bits(actual).Should().Equal(Bits(expected), $"Multiply, {n}");

            expected = (float[])acc.Clone();
            actual = (float[])acc.Clone();
            TensorPrimitives.MultiplyAdd(a, b, expected, expected);
            Elementwise.MultiplyAdd(a, b, actual);
            Bits(actual).Should().Equal(Bits(expected), $"MultiplyAdd, {n}");

            expected = (float[])acc.Clone();
            actual = (float[])acc.Clone();
            TensorPrimitives.Add(expected, a, expected);
            Elementwise.AddTo(actual, a);
            Bits(actual).Should().Equal(Bits(expected), $"Add, {n}");
        }
    }

    [Fact]
    public void Column_sums_and_row_additions_give_the_row_by_row_TensorPrimitives_bytes()
    {
        var rng = new SeededRandom(10);
        foreach (int width in new[] { 1, 3, 8, 15, 16, 17, 32, 40, 96 })
        foreach (int rows in new[] { 0, 1, 5, 37 })
        {
            var block = Enumerable.Range(0, rows * width).Select(_ => rng.Uniform(-1e3f, 1e3f)).ToArray();
            var start = Enumerable.Range(0, width).Select(_ => rng.Uniform(-1f, 1f)).ToArray();
            var expected = (float[])start.Clone();
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(expected, block.AsSpan(r * width, width), expected);
            var actual = (float[])start.Clone();
            Elementwise.AddColumnSums(block, rows, actual);
            Bits(actual).Should().Equal(Bits(expected), $"width {width}, {rows} rows");

            var rowsExpected = (float[])block.Clone();
            for (int r = 0; r < rows; r++)
                TensorPrimitives.Add(
                    rowsExpected.AsSpan(r * width, width),
                    start,
                    rowsExpected.AsSpan(r * width, width)
                );
            var rowsActual = (float[])block.Clone();
            Elementwise.AddToRows(rowsActual, rows, start);
            Bits(rowsActual).Should().Equal(Bits(rowsExpected), $"rows + vector, width {width}, {rows} rows");
        }
    }

    [Fact]
    public void FlushTiny_treats_every_lane_and_the_tail_alike()
    {
        float[] pattern = [1e-31f, -1e-31f, float.Epsilon, -1e-38f, 0f, -0f, 1e-29f, -2e-30f, 0.5f, float.NaN, 1e-30f];
        var values = Enumerable.Range(0, 67).Select(i => pattern[i % pattern.Length]).ToArray();
        var expected = values
            .Select(v => MathF.Abs(v) < 1e-30f ? 0f : v)
            .Select(BitConverter.SingleToInt32Bits)
            .ToArray();
        RecurrentLayer.FlushTiny(values);
        Bits(values).Should().Equal(expected);
    }

    [Fact]
    public void Time_major_copies_round_trip_and_reverse_time()
    {
        int n = 3,
            steps = 37,
            width = 21;
        var batchMajor = Enumerable.Range(0, n * steps * width).Select(i => (float)i).ToArray();
        var timeMajor = new float[batchMajor.Length];
        RecurrentShard.ToTimeMajor(batchMajor, timeMajor, n, steps, width, reverseTime: true);
        for (int r = 0; r < n; r++)
        for (int t = 0; t < steps; t++)
        for (int j = 0; j < width; j++)
            timeMajor[((steps - 1 - t) * n + r) * width + j].Should().Be(batchMajor[(r * steps + t) * width + j]);
        var back = new float[batchMajor.Length];
        RecurrentShard.ToBatchMajor(timeMajor, back, n, steps, width, reverseTime: true);
        back.Should().Equal(batchMajor);
        var act = () => RecurrentShard.ToTimeMajor(batchMajor, timeMajor.AsSpan(1), n, steps, width, false);
        act.Should().Throw<ArgumentException>();
    }
}
