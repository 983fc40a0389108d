using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// The scratch memory of one shard (a block of consecutive batch rows) of a recurrent layer, kept
/// between calls so that the time loop allocates nothing. Every buffer is <b>time-major</b>: at
/// timestep t the shard's n rows of a gate or a state are one contiguous block of n·units floats,
/// so a step works on a few small blocks that stay in cache, and a whole buffer read as a
/// (T·n, width) matrix feeds the big weight-gradient GEMMs after the backward loop. The inputs are the
/// exception: the products read x_t (and write ∂L/∂x_t) in place in the layer's batch-major tensors,
/// one group of n rows per timestep; only input dropout's masked operands are built time-major.
/// <para>Index conventions (all by <i>input</i> time t, whatever the processing direction):</para>
/// <list type="bullet">
/// <item>gates (G, T, n, u): pre-activations, then activations after the forward step, then ∂L/∂pre-activation after the backward step;</item>
/// <item>states (T+1, n, u) per state: slot t holds the state before x_t (slot t+1 after it) going forwards;
/// going backwards slot t+1 holds the state before x_t and slot t the one after it;</item>
/// <item>stateGrads (T, n, u): ∂L/∂h_t for the state after x_t;</item>
/// <item>extras (T, n, u): per-cell stores (LSTM tanh(c_t), GRU r ⊙ h or h·U_h + b).</item>
/// </list>
/// </summary>
internal sealed class RecurrentShard
{
    private AlignedArray _inputs = AlignedArray.Empty;
    private float[] _batchInputs = [];
    private float[] _batchInputGradient = [];
    private AlignedArray _gates = AlignedArray.Empty;
    private AlignedArray[] _states = [];
    private AlignedArray[] _extras = [];
    private AlignedArray[] _maskedInputs = [];
    private AlignedArray[] _maskedStates = [];
    private AlignedArray _stateGrads = AlignedArray.Empty;
    private AlignedArray _temp1 = AlignedArray.Empty;
    private AlignedArray _temp2 = AlignedArray.Empty;
    private AlignedArray[] _initialGrads = [];
    private AlignedArray _kernelGrad = AlignedArray.Empty;
    private AlignedArray _recurrentGrad = AlignedArray.Empty;
    private AlignedArray _biasGrad = AlignedArray.Empty;
    private AlignedArray _biasScratch = AlignedArray.Empty;
    private float[] _inputMasks = [];
    private float[] _recurrentMasks = [];
    private float[] _stepMask = [];
    private AlignedArray[] _heldGrads = [];
    private int _batch;
    private int _biasSize;

    /// <summary>First batch row of the shard.</summary>
    public int Start { get; private set; }

    /// <summary>Number of batch rows n.</summary>
    public int Rows { get; private set; }

    public int Steps { get; private set; }

    public int InputDim { get; private set; }

    public int Units { get; private set; }

    public int GateCount { get; private set; }

    /// <summary>n·u: the size of one gate or state block.</summary>
    public int BlockSize => Rows * Units;

    public bool HasInputMasks { get; private set; }

    public bool HasRecurrentMasks { get; private set; }

    /// <summary>Whether the call has a Keras mask (batch, T) marking padded timesteps.</summary>
    public bool HasStepMask { get; private set; }

    /// <summary>Whether row r of the shard is padding at input time t (mask 0): the step leaves its states unchanged.</summary>
    public bool IsPadding(int r, int t) => _stepMask[(Start + r) * Steps + t] == 0f;

    /// <summary>Row r of a (n, u) block.</summary>
    public Span<float> RowOf(Span<float> block, int r) => block.Slice(r * Units, Units);

    /// <summary>
    /// Scratch (n, u) per state for the gradients a padded row carries past a step: ∂L/∂h_t (k = 0)
    /// and the carried ∂L/∂c_t (k = 1, LSTM).
    /// </summary>
    public Span<float> HeldGrad(int k) => _heldGrads[k].AsSpan(0, BlockSize);

    /// <summary>The direction of the time loop: going backwards the state before x_t is in slot t + 1.</summary>
    public bool GoBackwards { get; private set; }

    /// <summary>Per-step temporaries, one block (n, u) each.</summary>
    public Span<float> Temp1 => _temp1.AsSpan(0, BlockSize);

    public Span<float> Temp2 => _temp2.AsSpan(0, BlockSize);

    /// <summary>
    /// ∂L/∂(initial state k) for this shard's rows, (n, u). During the backward loop the entries
    /// k ≥ 1 carry ∂L/∂c from step to step (LSTM); entry 0 receives ∂L/∂h_0 at the last step.
    /// </summary>
    public Span<float> InitialGrad(int k) => _initialGrads[k].AsSpan(0, BlockSize);

    /// <summary>This shard's share of ∂L/∂kernel (I, G·u), ∂L/∂recurrent_kernel (u, G·u) and ∂L/∂bias.</summary>
    public Span<float> KernelGrad => _kernelGrad.AsSpan(0, InputDim * GateCount * Units);

    public Span<float> RecurrentGrad => _recurrentGrad.AsSpan(0, Units * GateCount * Units);

    public Span<float> BiasGrad => _biasGrad.AsSpan(0, _biasSize);

    /// <summary>A bias-sized scratch vector for the cell (GRU resetAfter folds its biases there).</summary>
    public Span<float> BiasScratch => _biasScratch.AsSpan(0, _biasSize);

    public void Prepare(
        int start,
        int rows,
        int steps,
        int inputDim,
        int units,
        int gates,
        int stateCount,
        int extraCount,
        int biasSize,
        bool goBackwards,
        float[]? inputMasks,
        float[]? recurrentMasks,
        int batch,
        float[]? stepMask
    )
    {
        Start = start;
        Rows = rows;
        Steps = steps;
        InputDim = inputDim;
        Units = units;
        GateCount = gates;
        GoBackwards = goBackwards;
        HasInputMasks = inputMasks is not null;
        HasRecurrentMasks = recurrentMasks is not null;
        _inputMasks = inputMasks ?? [];
        _recurrentMasks = recurrentMasks ?? [];
        _batch = batch;
        HasStepMask = stepMask is not null;
        _stepMask = stepMask ?? [];
        int block = rows * units;
        // Without input dropout the products read x (and write ∂L/∂x) in place in the layer's
        // batch-major tensors; only the masked operands need a time-major copy of the inputs.
        if (HasInputMasks)
            Ensure(ref _inputs, steps * rows * inputDim);
        Ensure(ref _gates, gates * steps * block);
        EnsureAll(ref _states, stateCount, (steps + 1) * block);
        EnsureAll(ref _extras, extraCount, steps * block);
        Ensure(ref _stateGrads, steps * block);
        if (HasInputMasks)
            EnsureAll(ref _maskedInputs, gates, steps * rows * inputDim);
        if (HasRecurrentMasks)
            EnsureAll(ref _maskedStates, gates, steps * block);
        Ensure(ref _temp1, block);
        Ensure(ref _temp2, block);
        if (HasStepMask)
            EnsureAll(ref _heldGrads, stateCount, block);
        EnsureAll(ref _initialGrads, stateCount, block);
        Ensure(ref _kernelGrad, inputDim * gates * units);
        Ensure(ref _recurrentGrad, units * gates * units);
        Ensure(ref _biasGrad, biasSize);
        Ensure(ref _biasScratch, biasSize);
        _biasSize = biasSize;
    }

    /// <summary>
    /// Whether the products read the inputs x_t (and write ∂L/∂x_t) in place in the layer's batch-major
    /// tensors (<see cref="BatchInputs"/>): always, but with input dropout, whose masked operands are
    /// built from a time-major copy (<see cref="Inputs"/>).
    /// </summary>
    public bool ReadsInputsInPlace => !HasInputMasks;

    /// <summary>
    /// The layer's (batch, T, I) input, set by the forward pass and read again by the backward pass
    /// (like every layer, the recurrent layer expects its input unchanged until its Backward).
    /// </summary>
    public void UseBatchInputs(float[] inputs) => _batchInputs = inputs;

    /// <summary>The layer's (batch, T, I) input gradient, set by the backward pass.</summary>
    public void UseBatchInputGradient(float[] inputGradient) => _batchInputGradient = inputGradient;

    /// <summary>Floats from one row's x_t to the next row's in the batch-major tensors: T·I.</summary>
    public int BatchRowStride => Steps * InputDim;

    /// <summary>
    /// x_t of the shard's rows for the times of a block, in place: row r of time First + i at
    /// i·I + r·T·I from the span's start.
    /// </summary>
    public ReadOnlySpan<float> BatchInputs(TimeBlock b) => _batchInputs.AsSpan(BatchOffset(b), BatchLength(b));

    /// <summary>∂L/∂x_t of the shard's rows for the times of a block, laid out as <see cref="BatchInputs"/>.</summary>
    public Span<float> BatchInputGradient(TimeBlock b) => _batchInputGradient.AsSpan(BatchOffset(b), BatchLength(b));

    private int BatchOffset(TimeBlock b) => (Start * Steps + b.First) * InputDim;

    private int BatchLength(TimeBlock b) => ((Rows - 1) * Steps + b.Count - 1) * InputDim + InputDim;

    /// <summary>The shard's inputs, time-major (T, n, I) (with input dropout only).</summary>
    public Span<float> Inputs => _inputs.AsSpan(0, Steps * Rows * InputDim);

    public Span<float> InputBlock(int t) => _inputs.AsSpan(t * Rows * InputDim, Rows * InputDim);

    /// <summary>The inputs of a run of timesteps, (count·n, I).</summary>
    public Span<float> InputSlab(TimeBlock b) => _inputs.AsSpan(b.First * Rows * InputDim, b.Count * Rows * InputDim);

    /// <summary>x ⊙ dropout mask of gate g, time-major (T, n, I).</summary>
    public Span<float> MaskedInputs(int g) => _maskedInputs[g].AsSpan(0, Steps * Rows * InputDim);

    public Span<float> MaskedInputs(int g, TimeBlock b) =>
        _maskedInputs[g].AsSpan(b.First * Rows * InputDim, b.Count * Rows * InputDim);

    /// <summary>The input-dropout mask of gate g for the shard's rows, (n, I); the whole batch's masks are (G, batch, I).</summary>
    public ReadOnlySpan<float> InputMask(int g) => _inputMasks.AsSpan((g * _batch + Start) * InputDim, Rows * InputDim);

    /// <summary>The recurrent-dropout mask of gate g for the shard's rows, (n, u).</summary>
    public ReadOnlySpan<float> RecurrentMask(int g) => _recurrentMasks.AsSpan((g * _batch + Start) * Units, BlockSize);

    /// <summary>The whole buffer of gate g, (T·n, u).</summary>
    public Span<float> GateSlab(int g) => _gates.AsSpan(g * Steps * BlockSize, Steps * BlockSize);

    /// <summary>Gate g of a run of timesteps, (count·n, u).</summary>
    public Span<float> GateSlab(int g, TimeBlock b) =>
        _gates.AsSpan((g * Steps + b.First) * BlockSize, b.Count * BlockSize);

    public Span<float> Gate(int g, int t) => _gates.AsSpan((g * Steps + t) * BlockSize, BlockSize);

    /// <summary>Floats from a gate's block at step t to the next gate's block at the same step, T·n·u.</summary>
    public int GateStride => Steps * BlockSize;

    /// <summary>
    /// The blocks of gates <paramref name="first"/> … first + count − 1 at step t, as panels
    /// <see cref="GateStride"/> apart (the operand of one product over several gates).
    /// </summary>
    public Span<float> GatePanels(int first, int count, int t) =>
        _gates.AsSpan((first * Steps + t) * BlockSize, (count - 1) * GateStride + BlockSize);

    /// <summary>The slabs of gates <paramref name="first"/> … first + count − 1 over a run of timesteps, as panels <see cref="GateStride"/> apart.</summary>
    public Span<float> GatePanels(int first, int count, TimeBlock b) =>
        _gates.AsSpan((first * Steps + b.First) * BlockSize, (count - 1) * GateStride + b.Count * BlockSize);

    public Span<float> State(int k, int slot) => _states[k].AsSpan(slot * BlockSize, BlockSize);

    /// <summary>T consecutive state slots from <paramref name="firstSlot"/>, as a (T·n, u) matrix.</summary>
    public Span<float> StateSlab(int k, int firstSlot) => _states[k].AsSpan(firstSlot * BlockSize, Steps * BlockSize);

    /// <summary>h_{t−1} of every step as a (T·n, u) matrix, row block t = the state before x_t.</summary>
    public Span<float> PreviousStates => StateSlab(0, GoBackwards ? 1 : 0);

    /// <summary>h_{t−1} of the steps that read x_t for t in a run of timesteps, (count·n, u).</summary>
    public Span<float> PreviousStatesOf(TimeBlock b) =>
        _states[0].AsSpan(((GoBackwards ? 1 : 0) + b.First) * BlockSize, b.Count * BlockSize);

    public Span<float> Extra(int e, int t) => _extras[e].AsSpan(t * BlockSize, BlockSize);

    public Span<float> ExtraSlab(int e) => _extras[e].AsSpan(0, Steps * BlockSize);

    public Span<float> ExtraSlab(int e, TimeBlock b) => _extras[e].AsSpan(b.First * BlockSize, b.Count * BlockSize);

    /// <summary>h_{t−1} ⊙ recurrent-dropout mask of gate g for the step that reads x_t.</summary>
    public Span<float> MaskedState(int g, int t) => _maskedStates[g].AsSpan(t * BlockSize, BlockSize);

    public Span<float> MaskedStateSlab(int g) => _maskedStates[g].AsSpan(0, Steps * BlockSize);

    public Span<float> MaskedStateSlab(int g, TimeBlock b) =>
        _maskedStates[g].AsSpan(b.First * BlockSize, b.Count * BlockSize);

    /// <summary>All of ∂L/∂h_t, (T, n, u) time-major.</summary>
    public Span<float> StateGrads => _stateGrads.AsSpan(0, Steps * BlockSize);

    public Span<float> StateGrad(int t) => _stateGrads.AsSpan(t * BlockSize, BlockSize);

    /// <summary>
    /// Rows of a (n, T, w) batch-major block to a (T, n, w) time-major one (time block T − 1 − s for step s
    /// with reverseTime), for the batch-major times of <paramref name="times"/> only when given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToTimeMajor(
        ReadOnlySpan<float> batchMajor,
        Span<float> timeMajor,
        int n,
        int steps,
        int width,
        bool reverseTime,
        TimeBlock? times = null
    ) =>
        Transpose(
            batchMajor,
            timeMajor,
            n,
            steps,
            width,
            reverseTime,
            toTimeMajor: true,
            times ?? new TimeBlock(0, steps)
        );

    /// <summary>The inverse of <see cref="ToTimeMajor"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToBatchMajor(
        ReadOnlySpan<float> timeMajor,
        Span<float> batchMajor,
        int n,
        int steps,
        int width,
        bool reverseTime,
        TimeBlock? times = null
    ) =>
        Transpose(
            timeMajor,
            batchMajor,
            n,
            steps,
            width,
            reverseTime,
            toTimeMajor: false,
            times ?? new TimeBlock(0, steps)
        );

    /// <summary>
    /// Row (r, t) of the batch-major side ↔ row (block, r) of the time-major side, block = t (T − 1 − t
    /// with reverseTime), for the batch-major times t of <c>times</c>. Rows are copied by reference arithmetic after one bounds check: a row is only
    /// a few vectors (32 floats in the benchmark) and slicing spans per row cost more than the copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(
        ReadOnlySpan<float> source,
        Span<float> target,
        int n,
        int steps,
        int width,
        bool reverseTime,
        bool toTimeMajor,
        TimeBlock times
    )
    {
        long total = (long)n * steps * width;
        if (source.Length < total || target.Length < total)
            throw new ArgumentException("a block is shorter than n · steps · width");
        if (times.First < 0 || times.Count < 0 || times.End > steps)
            throw new ArgumentOutOfRangeException(nameof(times), $"times {times} outside 0..{steps}");
        ref float from = ref MemoryMarshal.GetReference(source);
        ref float to = ref MemoryMarshal.GetReference(target);
        // Tiles of 16 timesteps keep both sides in runs of whole cache lines.
        for (int t0 = times.First; t0 < times.End; t0 += 16)
        {
            int t1 = Math.Min(times.End, t0 + 16);
            for (int r = 0; r < n; r++)
            for (int t = t0; t < t1; t++)
            {
                int block = reverseTime ? steps - 1 - t : t;
                nint batchRow = ((nint)r * steps + t) * width,
                    timeRow = ((nint)block * n + r) * width;
                if (toTimeMajor)
                    Elementwise.CopyRow(ref Unsafe.Add(ref from, batchRow), ref Unsafe.Add(ref to, timeRow), width);
                else
                    Elementwise.CopyRow(ref Unsafe.Add(ref from, timeRow), ref Unsafe.Add(ref to, batchRow), width);
            }
        }
    }

    private static void Ensure(ref AlignedArray buffer, int size) => AlignedArray.Ensure(ref buffer, size);

    private static void EnsureAll(ref AlignedArray[] buffers, int count, int size)
    {
        if (buffers.Length < count)
        {
            var grown = new AlignedArray[count];
            for (int i = 0; i < count; i++)
                grown[i] = i < buffers.Length ? buffers[i] : AlignedArray.Empty;
            buffers = grown;
        }
        for (int i = 0; i < count; i++)
            Ensure(ref buffers[i], size);
    }
}

/// <summary>
/// A run of consecutive input times [First, First + Count): the unit in which the recurrent layer
/// does its input projection and gradient products, a few timesteps at a time, so that the rows they
/// read are still in cache.
/// </summary>
internal readonly record struct TimeBlock(int First, int Count)
{
    public int End => First + Count;
}
