using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>What a recurrent layer returns from <see cref="RecurrentLayer.Call"/>.</summary>
/// <param name="Output">The last output (batch, units), or every output (batch, T, units) with returnSequences, in processing order.</param>
/// <param name="States">The final states, (batch, units) each: [h] for SimpleRNN and GRU, [h, c] for LSTM (Keras' return_state order).</param>
public sealed record RecurrentOutput(Tensor Output, Tensor[] States);

/// <summary>
/// The machinery shared by SimpleRNN, LSTM and GRU: options, weights, the
/// time loop forwards and backwards (BPTT), initial and carried states, dropout masks, and the
/// split of the batch into shards.
/// <para>
/// Weights in Keras layout, row-vector notation (x_t is a row, x_t·W): <c>kernel</c> W (I, G·u),
/// <c>recurrent_kernel</c> U (u, G·u), <c>bias</c> (G·u) with the G gate blocks side by side
/// (G = 1 SimpleRNN, 4 LSTM i|f|c|o, 3 GRU z|r|h).
/// </para>
/// <para>
/// How a call runs. Each shard of the batch runs its whole time loop on its own thread
/// (<see cref="Engine.ForEachShard"/> once per call). The input projection x_t·W_g + b_g of all
/// timesteps is one GEMM per gate before the loop; a step then only adds h_{t−1}·U_g and applies the
/// gate math. Backwards, the loop only carries ∂L/∂h (and ∂L/∂c) from step to step and leaves
/// ∂L/∂(pre-activation) of every step in place; the weight gradients
/// ∂L/∂W = Σ_t x_tᵀ·δ_t and ∂L/∂U = Σ_t h_{t−1}ᵀ·δ_t, and ∂L/∂x_t = δ_t·Wᵀ, are then big GEMMs over
/// all timesteps at once. Shard gradients are added in shard order, so results do not depend on
/// <see cref="Engine.MaxThreads"/>.
/// </para>
/// </summary>
public abstract class RecurrentLayer : Layer
{
    private readonly List<RecurrentShard> _shards = new();
    private Parameter? _kernel;
    private Parameter? _recurrentKernel;
    private Parameter? _bias;

    // The last call: what backward needs besides the shard buffers.
    private int _batch;
    private int _steps;
    private int _inputDim;
    private int _shardCount;
    private bool _hasForward;
    private bool _backwardDone;
    private float[] _inputMasks = [];
    private float[] _recurrentMasks = [];
    private float[] _projectionBias = [];
    private float[] _kernelTransposed = [];
    private float[] _recurrentTransposed = [];
    private Tensor[]? _carriedStates;
    private Tensor? _stateGradients;
    private IReadOnlyDictionary<string, Tensor>? _lastInternals;

    private protected RecurrentLayer(
        int units,
        string activation,
        bool useBias,
        string kernelInitializer,
        string recurrentInitializer,
        string biasInitializer,
        float dropout,
        float recurrentDropout,
        bool returnSequences,
        bool returnState,
        bool goBackwards,
        bool stateful,
        string? name,
        int?[]? inputShape,
        int? batchSize
    )
        : base(name, inputShape, batchSize)
    {
        if (units <= 0)
            throw Error($"needs a positive number of units, got {units}");
        if (!(dropout >= 0f && dropout <= 1f))
            throw Error($"needs dropout in [0, 1], got {dropout}");
        if (!(recurrentDropout >= 0f && recurrentDropout <= 1f))
            throw Error($"needs recurrent_dropout in [0, 1], got {recurrentDropout}");
        Units = units;
        Activation = ParseActivation(activation, "activation");
        UseBias = useBias;
        KernelInitializer = ParseInitializer(kernelInitializer, "kernel_initializer");
        RecurrentInitializer = ParseInitializer(recurrentInitializer, "recurrent_initializer");
        BiasInitializer = ParseInitializer(biasInitializer, "bias_initializer");
        Dropout = dropout;
        RecurrentDropout = recurrentDropout;
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
        Stateful = stateful;
    }

    /// <summary>A copy of <paramref name="source"/>'s configuration (not its weights) under a new name.</summary>
    private protected RecurrentLayer(RecurrentLayer source, string name, bool goBackwards)
        : base(name, source.DeclaredInputShape, source.DeclaredBatchSize)
    {
        Units = source.Units;
        Activation = source.Activation;
        UseBias = source.UseBias;
        KernelInitializer = source.KernelInitializer;
        RecurrentInitializer = source.RecurrentInitializer;
        BiasInitializer = source.BiasInitializer;
        Dropout = source.Dropout;
        RecurrentDropout = source.RecurrentDropout;
        ReturnSequences = source.ReturnSequences;
        ReturnState = source.ReturnState;
        GoBackwards = goBackwards;
        Stateful = source.Stateful;
        RecordInternals = source.RecordInternals;
    }

    public int Units { get; }

    /// <summary>The activation of the state (tanh by default): SimpleRNN's output, LSTM's candidate and act(c), GRU's candidate.</summary>
    public ActivationKind Activation { get; }

    public bool UseBias { get; }

    public Initializer KernelInitializer { get; }

    public Initializer RecurrentInitializer { get; }

    public Initializer BiasInitializer { get; }

    /// <summary>
    /// Fraction of the inputs dropped (Keras 2.x implementation 1: training only, one inverted mask per
    /// gate drawn per call, the same at every timestep). As in Keras, only 0 &lt; rate &lt; 1 drops anything.
    /// </summary>
    public float Dropout { get; }

    /// <summary>Fraction of h_{t−1} dropped before the recurrent kernel (training only, one mask per gate per batch).</summary>
    public float RecurrentDropout { get; }

    public bool ReturnSequences { get; }

    /// <summary>
    /// Keras' return_state. <see cref="Call"/> always returns the final states (and
    /// <see cref="BackwardThroughTime"/> takes their gradients); inside a Sequential only the output
    /// flows on, so there the flag is configuration only.
    /// </summary>
    public bool ReturnState { get; }

    public bool GoBackwards { get; }

    /// <summary>Keep the final states of a batch as the initial states of the next (row i continues row i).</summary>
    public bool Stateful { get; }

    /// <summary>Number of states: 1 (h) for SimpleRNN and GRU, 2 (h, c) for LSTM.</summary>
    public abstract int StateCount { get; }

    /// <summary>W (I, G·u).</summary>
    public Parameter Kernel => _kernel ?? throw Error("has no weights before it is built");

    /// <summary>U (u, G·u).</summary>
    public Parameter RecurrentKernel => _recurrentKernel ?? throw Error("has no weights before it is built");

    /// <summary>b (G·u), or (2, 3u) for GRU with resetAfter; null without bias.</summary>
    public Parameter? Bias => _bias;

    /// <summary>
    /// When true, each forward call keeps the per-timestep internals of the cell (gate activations,
    /// cell states) in <see cref="LastInternals"/>. Off by default: it copies (batch, T, units) per entry.
    /// </summary>
    public bool RecordInternals { get; set; }

    /// <summary>
    /// The internals of the last forward call when <see cref="RecordInternals"/> is on, each
    /// (batch, T, units) indexed by <b>input</b> time t (also with goBackwards). Keys: SimpleRNN
    /// "h"; LSTM "i", "f", "g" (candidate), "o", "c", "h"; GRU "z", "r", "hh" (candidate), "h".
    /// </summary>
    public IReadOnlyDictionary<string, Tensor>? LastInternals => _lastInternals;

    /// <summary>
    /// After a backward pass: ∂L/∂h_t for every timestep, (batch, T, units), indexed by input time t
    /// (h_t = the state right after reading x_t). Everything that reaches h_t is included: its own
    /// output's gradient and what flows back from later steps. Null before the first backward pass.
    /// </summary>
    public Tensor? StateGradients => _stateGradients ??= _backwardDone ? GatherStateGradients() : null;

    /// <summary>The carried states of a stateful layer ([h] or [h, c], (batch, units) each, copies); null otherwise.</summary>
    public Tensor[]? States =>
        !Stateful ? null
        : _carriedStates is null ? (IsBuilt ? ZeroStates(InputShape![0]!.Value) : null)
        : _carriedStates.Select(s => s.Clone()).ToArray();

    private protected abstract int GateCount { get; }

    /// <summary>Per-cell (T, n, u) stores kept from the forward to the backward pass.</summary>
    private protected virtual int ExtraCount => 0;

    private protected virtual int[] BiasShape => [GateCount * Units];

    private protected virtual Initializer BiasWeightInitializer => BiasInitializer;

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank != 3)
            throw Error($"expects inputs of shape (batch, timesteps, features) but got {inputShape}");
        if (inputShape[2] is null)
            throw Error($"needs a known number of input features (the last axis) but got {inputShape}");
        if (Stateful && inputShape[0] is null)
            throw Error(
                $"is stateful, so it needs a fixed batch size (give the first layer batchSize: B, Keras' batch_input_shape) but got input shape {inputShape}"
            );
        return ReturnSequences
            ? new TensorShape(inputShape[0], inputShape[1], Units)
            : new TensorShape(inputShape[0], Units);
    }

    protected override void BuildCore(TensorShape inputShape, SeededRandom rng)
    {
        int inputDim = inputShape[2]!.Value;
        int width = GateCount * Units;
        _kernel = AddWeight("kernel", [inputDim, width], KernelInitializer, rng);
        _recurrentKernel = AddWeight("recurrent_kernel", [Units, width], RecurrentInitializer, rng);
        if (UseBias)
            _bias = AddWeight("bias", BiasShape, BiasWeightInitializer, rng);
    }

    /// <summary>Inputs are checked in <see cref="Call"/>, which names what is wrong more precisely.</summary>
    protected override bool AcceptsVariableTime(int[] shape) => true;

    protected override Tensor ForwardCore(Tensor input, bool training) => Call(input, null, training).Output;

    /// <summary>
    /// Runs the layer over a batch (batch, T, features). <paramref name="initialState"/> replaces the
    /// zero (or carried) initial states: [h] or [h, c], (batch, units) each. <paramref name="training"/>
    /// turns dropout on. Returns the output and the final states (Keras' return_state list).
    /// </summary>
    public RecurrentOutput Call(Tensor inputs, Tensor[]? initialState = null, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!IsBuilt)
        {
            int? features = inputs.Shape.Length == 3 ? inputs.Shape[2] : null;
            int?[] sample = DeclaredInputShape ?? [null, features];
            Build(new TensorShape([DeclaredBatchSize, .. sample]), new SeededRandom(0));
        }
        ValidateInputs(inputs.Shape);
        int batch = inputs.Shape[0],
            steps = inputs.Shape[1],
            inputDim = inputs.Shape[2];
        ValidateStates(initialState, batch, "initial state");

        _batch = batch;
        _steps = steps;
        _inputDim = inputDim;
        _hasForward = true;
        _backwardDone = false;
        _stateGradients = null;
        bool inputMasks = training && Dropout > 0f && Dropout < 1f;
        bool recurrentMasks = training && RecurrentDropout > 0f && RecurrentDropout < 1f;
        DrawMasks(ref _inputMasks, inputMasks, Dropout, GateCount * batch * inputDim);
        DrawMasks(ref _recurrentMasks, recurrentMasks, RecurrentDropout, GateCount * batch * Units);
        PrepareShards(batch, steps, inputDim, inputMasks, recurrentMasks);
        if (_bias is not null)
        {
            if (_projectionBias.Length != GateCount * Units)
                _projectionBias = new float[GateCount * Units];
            FillProjectionBias(_bias.Value.Data, _projectionBias);
        }

        if (Stateful && _carriedStates is null)
            _carriedStates = ZeroStates(batch);
        var start = initialState ?? (Stateful ? _carriedStates : null);
        var output = ReturnSequences ? new Tensor(batch, steps, Units) : new Tensor(batch, Units);
        var finalStates = ZeroStates(batch);
        Engine.ForEachShard(_shardCount, i => ForwardShard(_shards[i], inputs, start, output, finalStates));
        if (Stateful)
            for (int k = 0; k < StateCount; k++)
                finalStates[k].Data.CopyTo(_carriedStates![k].Data, 0);
        _lastInternals = RecordInternals ? GatherInternals() : null;
        return new RecurrentOutput(output, finalStates);
    }

    public override Tensor Backward(Tensor outputGradient) => BackwardThroughTime(outputGradient).InputGradient;

    /// <summary>
    /// Backpropagation through time for the last <see cref="Call"/>: adds ∂L/∂W, ∂L/∂U, ∂L/∂b into the
    /// parameters' gradients and returns ∂L/∂inputs (batch, T, features) and ∂L/∂(initial states).
    /// <paramref name="finalStateGradients"/> is ∂L/∂(final states) when the states returned by Call
    /// feed the loss (return_state); null means zero. Also fills <see cref="StateGradients"/>.
    /// </summary>
    public (Tensor InputGradient, Tensor[] InitialStateGradients) BackwardThroughTime(
        Tensor outputGradient,
        Tensor[]? finalStateGradients = null
    )
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (!_hasForward)
            throw Error("cannot run a backward pass before a forward pass");
        if (_backwardDone)
            throw Error("already ran the backward pass of its last forward pass (run the forward pass again first)");
        int[] expected = ReturnSequences ? [_batch, _steps, Units] : [_batch, Units];
        if (!outputGradient.HasShape(expected))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(expected)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        ValidateStates(finalStateGradients, _batch, "final state gradient");

        Transpose(_kernel!.Value.Data, _inputDim, GateCount * Units, ref _kernelTransposed);
        Transpose(_recurrentKernel!.Value.Data, Units, GateCount * Units, ref _recurrentTransposed);
        var inputGradient = new Tensor(_batch, _steps, _inputDim);
        var initialGradients = ZeroStates(_batch);
        Engine.ForEachShard(
            _shardCount,
            i => BackwardShard(_shards[i], outputGradient, finalStateGradients, inputGradient, initialGradients)
        );
        _backwardDone = true;

        // Shard order, whatever the thread count: bit-identical results.
        for (int i = 0; i < _shardCount; i++)
        {
            var shard = _shards[i];
            AddInto(_kernel!.Gradient.Data, shard.KernelGrad);
            AddInto(_recurrentKernel!.Gradient.Data, shard.RecurrentGrad);
            if (_bias is not null)
                AddInto(_bias.Gradient.Data, shard.BiasGrad);
        }
        return (inputGradient, initialGradients);
    }

    /// <summary>Sets the carried states of a stateful layer to zeros (Keras' reset_states()); a no-op for other layers.</summary>
    public override void ResetStates()
    {
        if (Stateful && _carriedStates is not null)
            foreach (var s in _carriedStates)
                Array.Clear(s.Data);
    }

    /// <summary>Sets the carried states of a stateful layer: [h] or [h, c], (batch, units) each.</summary>
    public void ResetStates(Tensor[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!Stateful)
            throw Error("is not stateful, so it has no states to set");
        if (!IsBuilt)
            throw Error("must be built (know its batch size) before its states can be set");
        int batch = InputShape![0]!.Value;
        ValidateStates(values, batch, "state");
        _carriedStates = values.Select(v => v.Clone()).ToArray();
    }

    public override bool IsStateful => Stateful;

    /// <summary>Keras' get_config(): the common keys (name, trainable, dtype, batch_input_shape when declared) and the cell's options.</summary>
    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["units"] = Units;
        config["activation"] = Activations.KerasName(Activation);
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.Name;
        config["recurrent_initializer"] = RecurrentInitializer.Name;
        config["bias_initializer"] = BiasInitializer.Name;
        config["dropout"] = Dropout;
        config["recurrent_dropout"] = RecurrentDropout;
        config["return_sequences"] = ReturnSequences;
        config["return_state"] = ReturnState;
        config["go_backwards"] = GoBackwards;
        config["stateful"] = Stateful;
        AddConfig(config);
        return config;
    }

    private protected virtual void AddConfig(Dictionary<string, object?> config) { }

    /// <summary>
    /// The options every recurrent config shares, read with Keras' defaults (the inverse of
    /// <see cref="GetConfig"/>); each cell's FromConfig adds its own keys.
    /// </summary>
    private protected sealed record CommonOptions(
        int Units,
        string Activation,
        bool UseBias,
        string KernelInitializer,
        string RecurrentInitializer,
        string BiasInitializer,
        float Dropout,
        float RecurrentDropout,
        bool ReturnSequences,
        bool ReturnState,
        bool GoBackwards,
        bool Stateful,
        string? Name,
        int?[]? InputShape,
        int? BatchSize
    )
    {
        public static CommonOptions Read(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            return new(
                config.Int("units"),
                config.String("activation", "tanh"),
                config.Bool("use_bias", true),
                config.String("kernel_initializer", "glorot_uniform"),
                config.String("recurrent_initializer", "orthogonal"),
                config.String("bias_initializer", "zeros"),
                config.Float("dropout", 0f),
                config.Float("recurrent_dropout", 0f),
                config.Bool("return_sequences", false),
                config.Bool("return_state", false),
                config.Bool("go_backwards", false),
                config.Bool("stateful", false),
                config.Name,
                config.InputShape,
                config.BatchSize
            );
        }
    }

    /// <summary>A fresh, unbuilt layer with this configuration, the given name and direction (Bidirectional's backward copy).</summary>
    internal abstract RecurrentLayer CloneConfiguration(string name, bool goBackwards);

    /// <summary>One timestep forwards: reads the gate blocks (holding x_t·W_g + b_g) and the states in slot <paramref name="inSlot"/>, writes slot <paramref name="outSlot"/>.</summary>
    private protected abstract void ForwardStep(RecurrentShard s, int t, int inSlot, int outSlot);

    /// <summary>
    /// One timestep backwards: given ∂L/∂h_t (<see cref="RecurrentShard.StateGrad"/>) and the carried
    /// ∂L/∂c_t (LSTM), turns the gate blocks of step t into ∂L/∂(pre-activations), and adds ∂L/∂h_{t−1}
    /// into <paramref name="previousStateGrad"/> (and replaces the carried ∂L/∂c by ∂L/∂c_{t−1}).
    /// </summary>
    private protected abstract void BackwardStep(
        RecurrentShard s,
        int t,
        int inSlot,
        int outSlot,
        Span<float> previousStateGrad
    );

    /// <summary>The per-timestep internals a cell can record: name → block of step t.</summary>
    private protected abstract IEnumerable<(string Name, InternalBlock Block)> InternalBlocks { get; }

    private protected delegate Span<float> InternalBlock(RecurrentShard s, int t, int outSlot);

    /// <summary>The bias added to every gate's input projection x·W_g (GRU resetAfter also folds in part of the recurrent bias).</summary>
    private protected virtual void FillProjectionBias(ReadOnlySpan<float> bias, Span<float> projectionBias) =>
        bias.CopyTo(projectionBias);

    /// <summary>The (T·n, u) left operand of ∂L/∂U_g = Σ_t operand_tᵀ·δ_t: h_{t−1} (masked by recurrent dropout).</summary>
    private protected virtual ReadOnlySpan<float> RecurrentOperandSlab(RecurrentShard s, int gate) =>
        s.HasRecurrentMasks ? s.MaskedStateSlab(gate) : s.StateSlab(0, GoBackwards ? 1 : 0);

    /// <summary>The (T·n, u) right operand of ∂L/∂U_g: the gate's δ.</summary>
    private protected virtual ReadOnlySpan<float> RecurrentDeltaSlab(RecurrentShard s, int gate) => s.GateSlab(gate);

    /// <summary>Adds ∂L/∂b of this shard into <see cref="RecurrentShard.BiasGrad"/> (cleared before).</summary>
    private protected virtual void AccumulateBiasGradient(RecurrentShard s)
    {
        for (int g = 0; g < GateCount; g++)
            GateMath.AddColumnSums(s.GateSlab(g), s.Steps * s.Rows, s.BiasGrad.Slice(g * Units, Units));
    }

    private protected ReadOnlySpan<float> BiasValues => _bias is null ? default : _bias.Value.Data;

    /// <summary>The recurrent-dropout mask of gate g for the shard's rows, (n, u).</summary>
    private protected ReadOnlySpan<float> RecurrentMask(RecurrentShard s, int gate) =>
        _recurrentMasks.AsSpan((gate * _batch + s.Start) * Units, s.BlockSize);

    /// <summary>
    /// The left operand of h_{t−1}·U_g for the step reading x_t: h_{t−1} itself, or (with recurrent
    /// dropout) h_{t−1} ⊙ mask_g, kept for the weight gradient.
    /// </summary>
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
        TensorPrimitives.Multiply(previous, RecurrentMask(s, gate), masked);
        return masked;
    }

    /// <summary>target (+)= operand · U_g, for the shard's n rows.</summary>
    private protected void RecurrentProduct(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> operand,
        Span<float> target,
        bool accumulate
    ) =>
        Gemm.MatMul(
            operand,
            Units,
            _recurrentKernel!.Value.Data.AsSpan(gate * Units),
            GateCount * Units,
            target,
            Units,
            s.Rows,
            Units,
            Units,
            accumulate
        );

    /// <summary>target += RecurrentOperand(h_{t−1}) · U_g.</summary>
    private protected void AddRecurrentProduct(
        RecurrentShard s,
        int gate,
        int t,
        ReadOnlySpan<float> previous,
        Span<float> target
    ) => RecurrentProduct(s, gate, RecurrentOperand(s, gate, t, previous), target, accumulate: true);

    /// <summary>target (+)= δ · U_gᵀ (the gradient with respect to the operand of <see cref="RecurrentProduct"/>).</summary>
    private protected void RecurrentProductGradient(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> delta,
        Span<float> target,
        bool accumulate
    ) =>
        Gemm.MatMul(
            delta,
            Units,
            _recurrentTransposed.AsSpan(gate * Units * Units),
            Units,
            target,
            Units,
            s.Rows,
            Units,
            Units,
            accumulate
        );

    /// <summary>∂L/∂h_{t−1} += (δ_g · U_gᵀ) ⊙ recurrent mask_g.</summary>
    private protected void AddRecurrentInputGradient(
        RecurrentShard s,
        int gate,
        ReadOnlySpan<float> delta,
        Span<float> previousStateGrad
    )
    {
        if (!s.HasRecurrentMasks)
        {
            RecurrentProductGradient(s, gate, delta, previousStateGrad, accumulate: true);
            return;
        }
        var product = s.Temp2;
        RecurrentProductGradient(s, gate, delta, product, accumulate: false);
        GateMath.MultiplyAdd(product, RecurrentMask(s, gate), previousStateGrad);
    }

    private protected ActivationKind ParseActivation(string name, string argument)
    {
        ActivationKind kind;
        try
        {
            kind = Activations.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw Error($"got an unknown {argument}: {e.Message}");
        }
        if (kind == ActivationKind.Softmax)
            throw Error($"cannot use softmax as its {argument} (element-wise activations only)");
        return kind;
    }

    private Initializer ParseInitializer(string name, string argument)
    {
        try
        {
            return Initializer.FromName(name);
        }
        catch (ArgumentException e)
        {
            throw Error($"got an unknown {argument}: {e.Message}");
        }
    }

    private void ValidateInputs(int[] shape)
    {
        string expected = InputShape!.ToString();
        if (shape.Length != 3)
            throw Error(
                $"expected input of shape {expected} (batch, timesteps, features) but got {Tensor.ShapeToString(shape)}"
            );
        if (shape[2] != InputShape[2])
            throw Error(
                $"expected {InputShape[2]} input features (input shape {expected}) but got {Tensor.ShapeToString(shape)}"
            );
        if (InputShape[1] is int steps && shape[1] != steps)
            throw Error(
                $"was built for {steps} timesteps (input shape {expected}) but got {Tensor.ShapeToString(shape)}; build it with inputShape: [null, features] to accept any length"
            );
        if (shape[1] == 0)
            throw Error($"needs at least one timestep but got {Tensor.ShapeToString(shape)}");
        if (shape[0] == 0)
            throw Error($"got an empty batch {Tensor.ShapeToString(shape)}");
        if (Stateful && shape[0] != InputShape[0])
            throw Error(
                $"is stateful with a batch size of {InputShape[0]} (it keeps one state per batch row) but got a batch of {shape[0]}"
            );
    }

    private void ValidateStates(Tensor[]? states, int batch, string what)
    {
        if (states is null)
            return;
        if (states.Length != StateCount)
            throw Error($"expected {StateCount} {what} tensor(s) ({StateNames}) but got {states.Length}");
        for (int k = 0; k < states.Length; k++)
            if (states[k] is null || !states[k].HasShape(batch, Units))
                throw Error(
                    $"expected {what} {k} of shape {Tensor.ShapeToString([batch, Units])} but got {(states[k] is null ? "null" : Tensor.ShapeToString(states[k].Shape))}"
                );
    }

    private string StateNames => StateCount == 2 ? "h, c" : "h";

    private Tensor[] ZeroStates(int batch)
    {
        var states = new Tensor[StateCount];
        for (int k = 0; k < StateCount; k++)
            states[k] = new Tensor(batch, Units);
        return states;
    }

    /// <summary>Inverted-dropout masks (Keras implementation 1): entries 0 or 1/(1 − rate), one mask per gate.</summary>
    private void DrawMasks(ref float[] masks, bool active, float rate, int size)
    {
        if (!active)
            return;
        if (masks.Length < size)
            masks = new float[size];
        float kept = 1f / (1f - rate);
        for (int i = 0; i < size; i++)
            masks[i] = Rng.NextFloat() < rate ? 0f : kept;
    }

    /// <summary>The dropout mask the last training call applied to the inputs of gate g, (batch, features); null without input dropout.</summary>
    internal Tensor? InputDropoutMask(int gate) =>
        _hasForward && _shards[0].HasInputMasks
            ? new Tensor(_inputMasks.AsSpan(gate * _batch * _inputDim, _batch * _inputDim).ToArray(), _batch, _inputDim)
            : null;

    /// <summary>The recurrent-dropout mask of gate g of the last training call, (batch, units); null without it.</summary>
    internal Tensor? RecurrentDropoutMask(int gate) =>
        _hasForward && _shards[0].HasRecurrentMasks
            ? new Tensor(_recurrentMasks.AsSpan(gate * _batch * Units, _batch * Units).ToArray(), _batch, Units)
            : null;

    private void PrepareShards(int batch, int steps, int inputDim, bool inputMasks, bool recurrentMasks)
    {
        _shardCount = Engine.ShardCount(batch);
        while (_shards.Count < _shardCount)
            _shards.Add(new RecurrentShard());
        int biasSize = _bias?.Size ?? 0;
        for (int i = 0; i < _shardCount; i++)
        {
            var (start, end) = Engine.ShardRange(batch, i);
            _shards[i]
                .Prepare(
                    start,
                    end - start,
                    steps,
                    inputDim,
                    Units,
                    GateCount,
                    StateCount,
                    ExtraCount,
                    biasSize,
                    inputMasks,
                    recurrentMasks
                );
        }
    }

    /// <summary>Input time of processing step <paramref name="step"/>.</summary>
    private int TimeOf(int step) => GoBackwards ? _steps - 1 - step : step;

    private int InSlot(int t) => GoBackwards ? t + 1 : t;

    private int OutSlot(int t) => GoBackwards ? t : t + 1;

    private void ForwardShard(
        RecurrentShard s,
        Tensor inputs,
        Tensor[]? initialState,
        Tensor output,
        Tensor[] finalStates
    )
    {
        int n = s.Rows,
            steps = s.Steps,
            inputDim = s.InputDim,
            units = Units,
            width = GateCount * units;

        // Time-major copy of the shard's rows: row (t, r) = x[start + r, t].
        var timeMajor = s.Inputs;
        ToTimeMajor(inputs.Data.AsSpan(s.Start * steps * inputDim), timeMajor, n, steps, inputDim, reverseTime: false);

        // Input projection of all timesteps at once: gate block g = x·W_g + b_g (x ⊙ mask_g with dropout).
        for (int g = 0; g < GateCount; g++)
        {
            ReadOnlySpan<float> operand = timeMajor;
            if (s.HasInputMasks)
            {
                var masked = s.MaskedInputs(g);
                var mask = _inputMasks.AsSpan((g * _batch + s.Start) * inputDim, n * inputDim);
                for (int t = 0; t < steps; t++)
                    TensorPrimitives.Multiply(s.InputBlock(t), mask, masked.Slice(t * n * inputDim, n * inputDim));
                operand = masked;
            }
            var slab = s.GateSlab(g);
            Gemm.MatMul(
                operand,
                inputDim,
                _kernel!.Value.Data.AsSpan(g * units),
                width,
                slab,
                units,
                steps * n,
                inputDim,
                units,
                false
            );
            if (_bias is not null)
                GateMath.AddToRows(slab, steps * n, _projectionBias.AsSpan(g * units, units));
        }

        int initialSlot = GoBackwards ? steps : 0;
        for (int k = 0; k < StateCount; k++)
            if (initialState is null)
                s.State(k, initialSlot).Clear();
            else
                initialState[k].Data.AsSpan(s.Start * units, s.BlockSize).CopyTo(s.State(k, initialSlot));

        for (int step = 0; step < steps; step++)
        {
            int t = TimeOf(step);
            ForwardStep(s, t, InSlot(t), OutSlot(t));
        }

        int finalSlot = GoBackwards ? 0 : steps;
        if (ReturnSequences)
            // Processing order, as Keras stacks them: output step s is state slot s + 1 going
            // forwards, slot T − 1 − s going backwards.
            ToBatchMajor(
                s.StateSlab(0, GoBackwards ? 0 : 1),
                output.Data.AsSpan(s.Start * steps * units),
                n,
                steps,
                units,
                reverseTime: GoBackwards
            );
        else
            s.State(0, finalSlot).CopyTo(output.Data.AsSpan(s.Start * units, s.BlockSize));
        for (int k = 0; k < StateCount; k++)
            s.State(k, finalSlot).CopyTo(finalStates[k].Data.AsSpan(s.Start * units, s.BlockSize));
    }

    /// <summary>Values below 1e-30 in magnitude (and subnormals) become 0.</summary>
    internal static void FlushTiny(Span<float> values)
    {
        const float tiny = 1e-30f;
        for (int i = 0; i < values.Length; i++)
        {
            if (MathF.Abs(values[i]) < tiny)
                values[i] = 0f;
        }
    }

    private void BackwardShard(
        RecurrentShard s,
        Tensor outputGradient,
        Tensor[]? finalStateGradients,
        Tensor inputGradient,
        Tensor[] initialGradients
    )
    {
        int n = s.Rows,
            steps = s.Steps,
            inputDim = s.InputDim,
            units = Units,
            width = GateCount * units,
            block = s.BlockSize;
        var dOut = outputGradient.Data;

        // Seed ∂L/∂h_t with what the outputs receive; the loop adds what flows back through time.
        int lastTime = TimeOf(steps - 1);
        if (ReturnSequences)
            ToTimeMajor(dOut.AsSpan(s.Start * steps * units), s.StateGrads, n, steps, units, reverseTime: GoBackwards);
        else
        {
            for (int t = 0; t < steps; t++)
                s.StateGrad(t).Clear();
            dOut.AsSpan(s.Start * units, block).CopyTo(s.StateGrad(lastTime));
        }
        if (finalStateGradients is not null)
        {
            var dh = s.StateGrad(lastTime);
            TensorPrimitives.Add(dh, finalStateGradients[0].Data.AsSpan(s.Start * units, block), dh);
        }
        s.InitialGrad(0).Clear();
        for (int k = 1; k < StateCount; k++)
            if (finalStateGradients is null)
                s.InitialGrad(k).Clear();
            else
                finalStateGradients[k].Data.AsSpan(s.Start * units, block).CopyTo(s.InitialGrad(k));

        for (int step = steps - 1; step >= 0; step--)
        {
            int t = TimeOf(step);
            var previous = step > 0 ? s.StateGrad(TimeOf(step - 1)) : s.InitialGrad(0);
            BackwardStep(s, t, InSlot(t), OutSlot(t), previous);
            // Gradients flowing back over hundreds of steps shrink geometrically; once they reach the
            // subnormal range every later step would run at a fraction of its speed (subnormal floats
            // are very slow on x86). Flushing them to zero changes no sum by more than 1e-30.
            FlushTiny(previous);
            for (int k = 1; k < StateCount; k++)
                FlushTiny(s.InitialGrad(k));
        }

        // Weight gradients over all timesteps at once: ∂L/∂W_g = Xᵀ·δ_g, ∂L/∂U_g = H_prevᵀ·δ_g.
        int rows = steps * n;
        for (int g = 0; g < GateCount; g++)
        {
            ReadOnlySpan<float> x = s.HasInputMasks ? s.MaskedInputs(g) : s.Inputs;
            Gemm.MatMulTransposeA(
                x,
                inputDim,
                s.GateSlab(g),
                units,
                s.KernelGrad[(g * units)..],
                width,
                rows,
                inputDim,
                units,
                false
            );
            Gemm.MatMulTransposeA(
                RecurrentOperandSlab(s, g),
                units,
                RecurrentDeltaSlab(s, g),
                units,
                s.RecurrentGrad[(g * units)..],
                width,
                rows,
                units,
                units,
                false
            );
        }
        if (_bias is not null)
        {
            s.BiasGrad.Clear();
            AccumulateBiasGradient(s);
        }

        // ∂L/∂x_t = Σ_g (δ_g · W_gᵀ) ⊙ mask_g, built time-major in the (no longer needed) input copy.
        var dx = s.Inputs;
        if (s.HasInputMasks)
            dx.Clear();
        for (int g = 0; g < GateCount; g++)
        {
            var kernelT = _kernelTransposed.AsSpan(g * units * inputDim);
            if (!s.HasInputMasks)
            {
                Gemm.MatMul(s.GateSlab(g), units, kernelT, inputDim, dx, inputDim, rows, units, inputDim, g > 0);
                continue;
            }
            var product = s.MaskedInputs(g);
            Gemm.MatMul(s.GateSlab(g), units, kernelT, inputDim, product, inputDim, rows, units, inputDim, false);
            var mask = _inputMasks.AsSpan((g * _batch + s.Start) * inputDim, n * inputDim);
            for (int t = 0; t < steps; t++)
                GateMath.MultiplyAdd(product.Slice(t * n * inputDim, n * inputDim), mask, s.InputBlock(t));
        }
        ToBatchMajor(dx, inputGradient.Data.AsSpan(s.Start * steps * inputDim), n, steps, inputDim, reverseTime: false);
        for (int k = 0; k < StateCount; k++)
            s.InitialGrad(k).CopyTo(initialGradients[k].Data.AsSpan(s.Start * units, block));
    }

    private Tensor GatherStateGradients()
    {
        var result = new Tensor(_batch, _steps, Units);
        for (int i = 0; i < _shardCount; i++)
        {
            var s = _shards[i];
            ToBatchMajor(s.StateGrads, result.Data.AsSpan(s.Start * _steps * Units), s.Rows, _steps, Units, false);
        }
        return result;
    }

    private Dictionary<string, Tensor> GatherInternals()
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, accessor) in InternalBlocks)
        {
            var tensor = new Tensor(_batch, _steps, Units);
            for (int i = 0; i < _shardCount; i++)
            {
                var s = _shards[i];
                CopyBatchMajor(s, t => accessor(s, t, OutSlot(t)), tensor);
            }
            result[name] = tensor;
        }
        return result;
    }

    /// <summary>Copies a time-major per-step block sequence of one shard into rows of a (batch, T, units) tensor.</summary>
    private void CopyBatchMajor(RecurrentShard s, SpanOf blockAt, Tensor target)
    {
        int units = Units;
        for (int t = 0; t < s.Steps; t++)
        {
            var block = blockAt(t);
            for (int r = 0; r < s.Rows; r++)
                block.Slice(r * units, units).CopyTo(target.Data.AsSpan(((s.Start + r) * s.Steps + t) * units, units));
        }
    }

    private delegate Span<float> SpanOf(int t);

    /// <summary>Rows of a (n, T, w) batch-major block to a (T, n, w) time-major one (time block T − 1 − s for step s with reverseTime).</summary>
    private static void ToTimeMajor(
        ReadOnlySpan<float> batchMajor,
        Span<float> timeMajor,
        int n,
        int steps,
        int width,
        bool reverseTime
    )
    {
        // Tiles of 16 timesteps keep both sides in runs of whole cache lines.
        for (int t0 = 0; t0 < steps; t0 += 16)
        {
            int t1 = Math.Min(steps, t0 + 16);
            for (int r = 0; r < n; r++)
            for (int t = t0; t < t1; t++)
            {
                int block = reverseTime ? steps - 1 - t : t;
                batchMajor
                    .Slice((r * steps + t) * width, width)
                    .CopyTo(timeMajor.Slice((block * n + r) * width, width));
            }
        }
    }

    /// <summary>The inverse of <see cref="ToTimeMajor"/>.</summary>
    private static void ToBatchMajor(
        ReadOnlySpan<float> timeMajor,
        Span<float> batchMajor,
        int n,
        int steps,
        int width,
        bool reverseTime
    )
    {
        for (int t0 = 0; t0 < steps; t0 += 16)
        {
            int t1 = Math.Min(steps, t0 + 16);
            for (int r = 0; r < n; r++)
            for (int t = t0; t < t1; t++)
            {
                int block = reverseTime ? steps - 1 - t : t;
                timeMajor
                    .Slice((block * n + r) * width, width)
                    .CopyTo(batchMajor.Slice((r * steps + t) * width, width));
            }
        }
    }

    private static void Transpose(float[] source, int rows, int cols, ref float[] target)
    {
        if (target.Length != rows * cols)
            target = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            target[c * rows + r] = source[r * cols + c];
    }

    private static void AddInto(float[] target, ReadOnlySpan<float> values) =>
        TensorPrimitives.Add(target.AsSpan(0, values.Length), values, target.AsSpan(0, values.Length));
}
