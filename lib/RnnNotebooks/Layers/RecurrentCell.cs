using System.Runtime.CompilerServices;
using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// One recurrent step, as Keras' SimpleRNNCell, LSTMCell and GRUCell: the options of the step
/// (units, the state activation, bias, initializers), its weights in Keras layout and its equation
/// forwards and backwards. <see cref="RecurrentLayer"/> owns the time loop around it.
/// <para>
/// Weights, row-vector notation (x_t is a row, x_t·W): <c>kernel</c> W (I, G·u), <c>recurrent_kernel</c>
/// U (u, G·u), <c>bias</c> b (G·u), the G gate blocks side by side (G = 1 SimpleRNN, 4 LSTM i|f|c|o,
/// 3 GRU z|r|h). See docs/keras-semantics.md#recurrent-layers.
/// </para>
/// <para>
/// The kernels a step calls by name. Before the steps of a block of a few timesteps,
/// <see cref="ProjectInputs(RecurrentShard, ReadOnlySpan{float}, TimeBlock)"/> computes x_t·W_g + b_g of the
/// block's timesteps for every gate in one product (x read in place in the batch-major input), so a
/// step only adds h_{t−1}·U_g (<see cref="AddRecurrentProducts"/>, every gate's block in one product)
/// and applies its gates. Backwards a step leaves δ = ∂L/∂(pre-activation) in its gate blocks and adds
/// Σ_g δ_g·U_gᵀ into ∂L/∂h_{t−1} (<see cref="AddRecurrentInputGradients"/>); after the loop ∂L/∂W = Σ_t x_tᵀ·δ_t, ∂L/∂U = Σ_t h_{t−1}ᵀ·δ_t
/// and ∂L/∂x_t = δ_t·Wᵀ are GEMMs over blocks of timesteps in increasing time, each sum one running chain
/// (<see cref="BackwardThroughInputs"/>, <see cref="AddRecurrentKernelGradient"/>). Blocks keep a block's
/// rows in cache between the products and the steps; they change no value.
/// </para>
/// <para>
/// Between those GEMMs a step's element-wise work (activations, state update; backwards every gate's δ
/// and the carried gradients) runs as one fused pass over the step's blocks (<see cref="Kernels"/>,
/// <see cref="StepKernels"/>). Each cell keeps its plain form, one operation per pass, as
/// <c>ReferenceStep</c>/<c>ReferenceBackwardStep</c>: the tests hold the two to the same bytes.
/// </para>
/// </summary>
public abstract class RecurrentCell
{
    private readonly int[] _biasShape;
    private readonly Initializer _biasWeightInitializer;
    private AlignedArray _kernel = AlignedArray.Empty;
    private AlignedArray _recurrentKernel = AlignedArray.Empty;
    private AlignedArray _kernelTransposed = AlignedArray.Empty;
    private AlignedArray _recurrentTransposed = AlignedArray.Empty;

    private protected RecurrentCell(
        CellOptions options,
        int gateCount,
        int stateCount,
        int extraCount,
        int[] biasShape,
        Initializer? biasWeightInitializer = null
    )
    {
        Units = options.Units;
        Activation = options.Activation;
        UseBias = options.UseBias;
        KernelInitializer = options.KernelInitializer;
        RecurrentInitializer = options.RecurrentInitializer;
        BiasInitializer = options.BiasInitializer;
        StateActivation = ActivationFunction.Of(options.Activation);
        GateCount = gateCount;
        StateCount = stateCount;
        ExtraCount = extraCount;
        _biasShape = biasShape;
        _biasWeightInitializer = biasWeightInitializer ?? options.BiasInitializer;
    }

    public int Units { get; }

    /// <summary>The activation of the state (tanh by default): SimpleRNN's output, LSTM's candidate and act(c), GRU's candidate.</summary>
    public ActivationKind Activation { get; }

    public bool UseBias { get; }

    public Initializer KernelInitializer { get; }

    public Initializer RecurrentInitializer { get; }

    public Initializer BiasInitializer { get; }

    /// <summary>Number of states: 1 (h) for SimpleRNN and GRU, 2 (h, c) for LSTM.</summary>
    public int StateCount { get; }

    /// <summary>W (I, G·u); null before the layer is built.</summary>
    public Parameter? Kernel { get; private set; }

    /// <summary>U (u, G·u); null before the layer is built.</summary>
    public Parameter? RecurrentKernel { get; private set; }

    /// <summary>b (G·u), or (2, 3u) for GRU with resetAfter; null without bias or before the layer is built.</summary>
    public Parameter? Bias { get; private set; }

    /// <summary>Gate blocks G in every weight.</summary>
    internal int GateCount { get; }

    /// <summary>Per-cell (T, n, u) stores kept from the forward to the backward pass (<see cref="RecurrentShard.Extra"/>).</summary>
    internal int ExtraCount { get; }

    private protected ActivationFunction StateActivation { get; }

    /// <summary>
    /// The fused element-wise kernels of this cell's activations (set by the cell), which its steps
    /// use; null runs the reference steps instead (where no vector width is accelerated, and in tests
    /// that compare the two).
    /// </summary>
    internal StepKernels? Kernels { get; set; }

    private protected ReadOnlySpan<float> BiasValues => Bias is null ? default : Bias.Value.Data;

    /// <summary>Creates W, U and b (in this order, which fixes what a seed draws) for inputs of <paramref name="inputDim"/> features.</summary>
    internal void Build(int inputDim, Func<string, int[], Initializer, Parameter> addWeight)
    {
        int width = GateCount * Units;
        Kernel = addWeight("kernel", [inputDim, width], KernelInitializer);
        RecurrentKernel = addWeight("recurrent_kernel", [Units, width], RecurrentInitializer);
        if (UseBias)
            Bias = addWeight("bias", _biasShape, _biasWeightInitializer);
    }

    /// <summary>The cell's own config keys (Keras' get_config of the cell beyond the shared ones).</summary>
    internal abstract void AddConfig(Dictionary<string, object?> config);

    /// <summary>Before the steps of a block of timesteps: the block's gate blocks receive x_t·W_g + b_g.</summary>
    internal abstract void ProjectInputs(RecurrentShard s, TimeBlock times);

    /// <summary>One timestep forwards: reads the gate blocks of step t and the states in slot <paramref name="inSlot"/>, writes slot <paramref name="outSlot"/>.</summary>
    internal abstract void Step(RecurrentShard s, int t, int inSlot, int outSlot);

    /// <summary>
    /// One timestep backwards: given ∂L/∂h_t (<see cref="RecurrentShard.StateGrad"/>) and the carried
    /// ∂L/∂c_t (LSTM, <see cref="RecurrentShard.InitialGrad"/>(1)), turns the gate blocks of step t into
    /// δ = ∂L/∂(pre-activations), adds ∂L/∂h_{t−1} into <paramref name="previousStateGrad"/> (and
    /// replaces the carried ∂L/∂c by ∂L/∂c_{t−1}). With <paramref name="overwrite"/> the block holds
    /// nothing yet (no output gradient reaches h_{t−1}): the step writes it instead of adding, as if
    /// it had been cleared, which spares a pass over it per step.
    /// </summary>
    internal abstract void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad,
        bool overwrite
    );

    /// <summary>
    /// After the backward loop, once per block of timesteps, the blocks in increasing time: the block's
    /// terms of the shard's ∂L/∂W, ∂L/∂U and ∂L/∂b (the first block overwrites them, later ones add in
    /// order, so every sum is the same chain as over the whole sequence at once), and the block's ∂L/∂x
    /// time-major in place of its inputs (<see cref="RecurrentShard.InputSlab(TimeBlock)"/>).
    /// </summary>
    internal abstract void AccumulateGradients(RecurrentShard s, TimeBlock block);

    /// <summary>The per-timestep internals the cell can record: name → block of step t (state slot <c>outSlot</c>).</summary>
    internal abstract IEnumerable<(string Name, InternalBlock Block)> Internals { get; }

    internal delegate Span<float> InternalBlock(RecurrentShard s, int t, int outSlot);

    /// <summary>
    /// Once per forward pass, before the shards: W and U copied into cache-line-aligned buffers, the
    /// B operands of the projection and of every step's h_{t−1}·U_g (see <see cref="AlignedArray"/>).
    /// </summary>
    internal void PrepareForward()
    {
        Copy(Kernel!.Value.Data, ref _kernel);
        Copy(RecurrentKernel!.Value.Data, ref _recurrentKernel);
    }

    /// <summary>Once per backward pass, before the shards: Wᵀ and Uᵀ for the input and state gradients.</summary>
    internal void PrepareBackward()
    {
        Transpose(Kernel!.Value.Data, Kernel.Shape[0], GateCount * Units, ref _kernelTransposed);
        Transpose(RecurrentKernel!.Value.Data, Units, GateCount * Units, ref _recurrentTransposed);
    }

    /// <summary>
    /// Gate block g of every step of the block = x_t·W_g (+ bias_g): one (count·n, I)·(I, G·u) product
    /// into every gate's panel, the bias added as the tiles are stored. With input dropout each gate has
    /// its own operand x ⊙ mask_g, kept in <see cref="RecurrentShard.MaskedInputs(int)"/> for ∂L/∂W,
    /// and a product of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void ProjectInputs(RecurrentShard s, ReadOnlySpan<float> bias, TimeBlock times)
    {
        int n = s.Rows,
            inputDim = s.InputDim,
            rows = times.Count * n,
            width = GateCount * Units;
        if (s.ReadsInputsInPlace)
        {
            // One product per timestep of the block (a group), its n rows of x read in place T·I apart.
            Gemm.MatMulIntoPanelsOfC(
                a: s.BatchInputs(times),
                lda: s.BatchRowStride,
                b: _kernel.AsSpan(0, inputDim * width),
                ldb: width,
                c: s.GatePanels(0, GateCount, times),
                ldc: Units,
                panelStride: s.GateStride,
                panels: GateCount,
                m: n,
                k: inputDim,
                panelWidth: Units,
                accumulate: false,
                Gemm.BestPath,
                bias: bias.IsEmpty ? default : bias[..width],
                groups: times.Count,
                aGroupJump: inputDim,
                cGroupJump: s.BlockSize
            );
            return;
        }
        for (int g = 0; g < GateCount; g++)
        {
            var masked = s.MaskedInputs(g, times);
            for (int t = times.First; t < times.End; t++)
                Elementwise.Multiply(
                    s.InputBlock(t),
                    s.InputMask(g),
                    masked.Slice((t - times.First) * n * inputDim, n * inputDim)
                );
            Gemm.MatMulIntoPanelsOfC(
                a: masked,
                lda: inputDim,
                b: _kernel.AsSpan(g * Units),
                ldb: width,
                c: s.GateSlab(g, times),
                ldc: Units,
                panelStride: 0,
                panels: 1,
                m: rows,
                k: inputDim,
                panelWidth: Units,
                accumulate: false,
                Gemm.BestPath,
                bias: bias.IsEmpty ? default : bias.Slice(g * Units, Units)
            );
        }
    }

    /// <summary>target += RecurrentOperand(h_{t−1}) · U_g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AddRecurrentProduct(
        RecurrentShard s,
        int gate,
        int t,
        ReadOnlySpan<float> previous,
        Span<float> target
    ) => RecurrentProduct(s, gate, RecurrentOperand(s, gate, t, previous), target, accumulate: true);

    /// <summary>
    /// Gate blocks <paramref name="first"/> … first + count − 1 of step t += h_{t−1}·U_g: one product
    /// over the gates' panels (the same bits as one <see cref="AddRecurrentProduct"/> per gate, which
    /// recurrent dropout still needs: each gate has its own masked operand).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AddRecurrentProducts(
        RecurrentShard s,
        int first,
        int count,
        int t,
        ReadOnlySpan<float> previous
    )
    {
        if (s.HasRecurrentMasks)
        {
            for (int g = first; g < first + count; g++)
                AddRecurrentProduct(s, g, t, previous, s.Gate(g, t));
            return;
        }
        Gemm.MatMulIntoPanelsOfC(
            a: previous,
            lda: Units,
            b: _recurrentKernel.AsSpan(first * Units),
            ldb: GateCount * Units,
            c: s.GatePanels(first, count, t),
            ldc: Units,
            panelStride: s.GateStride,
            panels: count,
            m: s.Rows,
            k: Units,
            panelWidth: Units,
            accumulate: true,
            Gemm.BestPath
        );
    }

    /// <summary>
    /// ∂L/∂h_{t−1} += Σ_g δ_g · U_gᵀ over gates <paramref name="first"/> … first + count − 1 of step t,
    /// their δ in the gate blocks: one product over the gates' panels (the same bits as one
    /// <see cref="AddRecurrentInputGradient"/> per gate, which recurrent dropout still needs).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AddRecurrentInputGradients(
        RecurrentShard s,
        int first,
        int count,
        int t,
        Span<float> previousStateGrad,
        bool overwrite = false
    )
    {
        if (s.HasRecurrentMasks)
        {
            if (overwrite)
                previousStateGrad.Clear();
            for (int g = first; g < first + count; g++)
                AddRecurrentInputGradient(s, g, s.Gate(g, t), previousStateGrad);
            return;
        }
        Gemm.MatMulOverPanelsOfA(
            a: s.GatePanels(first, count, t),
            lda: Units,
            panelStride: s.GateStride,
            panels: count,
            b: _recurrentTransposed.AsSpan(first * Units * Units),
            ldb: Units,
            c: previousStateGrad,
            ldc: Units,
            m: s.Rows,
            k: Units,
            n: Units,
            accumulate: !overwrite,
            Gemm.BestPath
        );
    }

    /// <summary>
    /// The left operand of h_{t−1}·U_g for the step reading x_t: h_{t−1} itself, or (with recurrent
    /// dropout) h_{t−1} ⊙ mask_g, kept for the weight gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected ReadOnlySpan<float> RecurrentOperand(
        RecurrentShard s,
        int gate,
        int t,
        ReadOnlySpan<float> previous
    )
    {
        if (!s.HasRecurrentMasks)
            return previous;
        var masked = s.MaskedState(gate, t);
        if (Kernels is null)
            TensorPrimitives.Multiply(previous, s.RecurrentMask(gate), masked);
        else
            Elementwise.Multiply(previous, s.RecurrentMask(gate), masked);
        return masked;
    }

    /// <summary>target (+)= operand · U_g, for the shard's n rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void RecurrentProduct(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> operand,
        Span<float> target,
        bool accumulate
    ) =>
        Gemm.MatMul(
            a: operand,
            lda: Units,
            b: _recurrentKernel.AsSpan(gate * Units),
            ldb: GateCount * Units,
            c: target,
            ldc: Units,
            m: s.Rows,
            k: Units,
            n: Units,
            accumulate
        );

    /// <summary>target (+)= δ · U_gᵀ (the gradient with respect to the operand of <see cref="RecurrentProduct"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void RecurrentProductGradient(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> delta,
        Span<float> target,
        bool accumulate
    ) =>
        Gemm.MatMul(
            a: delta,
            lda: Units,
            b: _recurrentTransposed.AsSpan(gate * Units * Units),
            ldb: Units,
            c: target,
            ldc: Units,
            m: s.Rows,
            k: Units,
            n: Units,
            accumulate
        );

    /// <summary>∂L/∂h_{t−1} += (δ_g · U_gᵀ) ⊙ recurrent mask_g (= with <paramref name="overwrite"/>: see <see cref="BackwardStep"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AddRecurrentInputGradient(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> delta,
        Span<float> previousStateGrad,
        bool overwrite = false
    )
    {
        if (!s.HasRecurrentMasks)
        {
            // Starting the sums from nothing gives the bits of adding to a cleared block (both start at +0).
            RecurrentProductGradient(s, gate, delta, previousStateGrad, accumulate: !overwrite);
            return;
        }
        if (overwrite)
            previousStateGrad.Clear();
        var product = s.Temp2;
        RecurrentProductGradient(s, gate, delta, product, accumulate: false);
        if (Kernels is null)
            MultiplyAdd(product, s.RecurrentMask(gate), previousStateGrad);
        else
            Elementwise.MultiplyAdd(product, s.RecurrentMask(gate), previousStateGrad);
    }

    /// <summary>h_{t−1} of the block's steps as the (count·n, u) left operand of ∂L/∂U_g (masked by recurrent dropout).</summary>
    private protected static ReadOnlySpan<float> PreviousStates(RecurrentShard s, int gate, TimeBlock block) =>
        s.HasRecurrentMasks ? s.MaskedStateSlab(gate, block) : s.PreviousStatesOf(block);

    /// <summary>∂L/∂U_g (+)= operandsᵀ · deltas over the block's count·n rows (the first block overwrites).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AddRecurrentKernelGradient(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> operands,
        ReadOnlySpan<float> deltas,
        TimeBlock block
    ) =>
        Gemm.MatMulTransposeA(
            a: operands,
            lda: Units,
            b: deltas,
            ldb: Units,
            c: s.RecurrentGrad[(gate * Units)..],
            ldc: GateCount * Units,
            m: block.Count * s.Rows,
            k: Units,
            n: Units,
            accumulate: block.First > 0
        );

    /// <summary>
    /// From the δ of every gate over the block's timesteps: ∂L/∂W_g (+)= Xᵀ·δ_g (X masked per gate with
    /// input dropout) and ∂L/∂x_t = Σ_g (δ_g · W_gᵀ) ⊙ mask_g, built time-major in the block's (no longer
    /// needed) input copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void BackwardThroughInputs(RecurrentShard s, TimeBlock block)
    {
        int n = s.Rows,
            inputDim = s.InputDim,
            rows = block.Count * n;
        if (s.ReadsInputsInPlace)
        {
            // ∂L/∂W_g: the rows of X are the block's timesteps' n rows each, read in place, in order.
            for (int g = 0; g < GateCount; g++)
                Gemm.MatMulTransposeAOverPanels(
                    a: s.BatchInputs(block),
                    lda: s.BatchRowStride,
                    panelStride: inputDim,
                    panels: block.Count,
                    b: s.GateSlab(g, block),
                    ldb: Units,
                    c: s.KernelGrad[(g * Units)..],
                    ldc: GateCount * Units,
                    m: n,
                    k: inputDim,
                    n: Units,
                    accumulate: block.First > 0,
                    Gemm.BestPath
                );
            // ∂L/∂x_t = Σ_g δ_g · W_gᵀ per timestep (a group), one contraction over the gates' panels
            // with dx in registers across them, written in place into the batch-major input gradient.
            Gemm.MatMulOverPanelsOfA(
                a: s.GatePanels(0, GateCount, block),
                lda: Units,
                panelStride: s.GateStride,
                panels: GateCount,
                b: _kernelTransposed.AsSpan(0, GateCount * Units * inputDim),
                ldb: inputDim,
                c: s.BatchInputGradient(block),
                ldc: s.BatchRowStride,
                m: n,
                k: Units,
                n: inputDim,
                accumulate: false,
                Gemm.BestPath,
                groups: block.Count,
                aGroupJump: s.BlockSize,
                cGroupJump: inputDim
            );
            return;
        }
        for (int g = 0; g < GateCount; g++)
            Gemm.MatMulTransposeA(
                a: s.MaskedInputs(g, block),
                lda: inputDim,
                b: s.GateSlab(g, block),
                ldb: Units,
                c: s.KernelGrad[(g * Units)..],
                ldc: GateCount * Units,
                m: rows,
                k: inputDim,
                n: Units,
                accumulate: block.First > 0
            );
        var dx = s.InputSlab(block);
        // With input dropout each gate's product goes through the gate's masked-input buffer (free now)
        // and is multiplied by the mask on its way into dx.
        dx.Clear();
        for (int g = 0; g < GateCount; g++)
        {
            var product = s.MaskedInputs(g, block);
            Gemm.MatMul(
                a: s.GateSlab(g, block),
                lda: Units,
                b: _kernelTransposed.AsSpan(g * Units * inputDim),
                ldb: inputDim,
                c: product,
                ldc: inputDim,
                m: rows,
                k: Units,
                n: inputDim,
                accumulate: false
            );
            for (int t = block.First; t < block.End; t++)
                Elementwise.MultiplyAdd(
                    product.Slice((t - block.First) * n * inputDim, n * inputDim),
                    s.InputMask(g),
                    s.InputBlock(t)
                );
        }
    }

    /// <summary>
    /// ∂L/∂b_g (+)= Σ_t δ_g over the block, every gate, into the first G·u entries of the shard's bias
    /// gradient (cleared at the first block).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private protected void AccumulateBiasGradient(RecurrentShard s, TimeBlock block)
    {
        if (block.First == 0)
            s.BiasGrad.Clear();
        for (int g = 0; g < GateCount; g++)
            AddColumnSums(s.GateSlab(g, block), block.Count * s.Rows, s.BiasGrad.Slice(g * Units, Units));
    }

    /// <summary>acc += a ⊙ b.</summary>
    internal static void MultiplyAdd(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> acc) =>
        TensorPrimitives.MultiplyAdd(a, b, acc, acc);

    /// <summary>dst = 1 − x.</summary>
    private protected static void OneMinus(ReadOnlySpan<float> x, Span<float> dst) =>
        TensorPrimitives.Subtract(1f, x, dst);

    /// <summary>Adds <paramref name="vector"/> to each of the <paramref name="rows"/> consecutive rows of <paramref name="block"/>.</summary>
    private protected static void AddToRows(Span<float> block, int rows, ReadOnlySpan<float> vector) =>
        Elementwise.AddToRows(block, rows, vector);

    /// <summary>acc += Σ over <paramref name="rows"/> consecutive rows of <paramref name="block"/> (a bias gradient).</summary>
    private protected static void AddColumnSums(ReadOnlySpan<float> block, int rows, Span<float> acc) =>
        Elementwise.AddColumnSums(block, rows, acc);

    private static void Transpose(float[] source, int rows, int cols, ref AlignedArray target)
    {
        AlignedArray.Ensure(ref target, rows * cols);
        var transposed = target.AsSpan(0, rows * cols);
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            transposed[c * rows + r] = source[r * cols + c];
    }

    private static void Copy(float[] source, ref AlignedArray target)
    {
        AlignedArray.Ensure(ref target, source.Length);
        source.CopyTo(target.AsSpan(0, source.Length));
    }
}
