using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>What a recurrent layer returns from <see cref="RecurrentLayer.Call"/>.</summary>
/// <param name="Output">The last output (batch, units), or every output (batch, T, units) with returnSequences, in processing order.</param>
/// <param name="States">The final states, (batch, units) each: [h] for SimpleRNN and GRU, [h, c] for LSTM (Keras' return_state order).</param>
public sealed record RecurrentOutput(Tensor Output, Tensor[] States);

/// <summary>
/// Keras' RNN layer: the time loop around a <see cref="RecurrentCell"/> (SimpleRNN, LSTM and GRU
/// are this layer with their cell). It owns what is not the step's equation: the options
/// return_sequences, return_state, go_backwards, stateful, dropout and recurrent_dropout, the initial
/// and carried states, the dropout masks, the split of the batch into shards, BPTT and the recorded
/// internals. See docs/keras-semantics.md#recurrent-layers.
/// <para>
/// How a call runs. Each shard of the batch runs its whole time loop on its own thread
/// (<see cref="Engine.ForEachShard"/> once per call): for a block of a few timesteps at a time the cell
/// projects the block's inputs (<see cref="RecurrentCell.ProjectInputs(RecurrentShard, TimeBlock)"/>),
/// then runs one step per timestep. Backwards, the loop only carries ∂L/∂h (and ∂L/∂c) from step to
/// step while each step leaves ∂L/∂(pre-activation) in place; the cell then turns those into the weight
/// and input gradients with GEMMs over blocks of timesteps in increasing time, each weight gradient one
/// running sum. Shard gradients are added in shard order, so results do not depend on
/// <see cref="Engine.MaxThreads"/>. The loop itself, forwards and backwards, is in
/// RecurrentLayer.TimeLoop.cs.
/// </para>
/// </summary>
public abstract partial class RecurrentLayer : Layer
{
    private readonly List<RecurrentShard> _shards = new();

    // The last call: what backward needs besides the shard buffers.
    private int _batch;
    private int _steps;
    private int _inputDim;
    private int _shardCount;
    private bool _hasForward;
    private bool _backwardDone;
    private float[] _inputMasks = [];
    private float[] _recurrentMasks = [];
    private float[] _stepMask = [];
    private Tensor[]? _carriedStates;
    private Tensor? _stateGradients;
    private IReadOnlyDictionary<string, Tensor>? _lastInternals;

    /// <summary>
    /// Checks and parses the shared options (in Keras' argument order, so the first bad one is
    /// named), then lets the layer create its cell from them: <paramref name="createCell"/> receives
    /// this layer (to parse the cell's own arguments with errors that name it) and the parsed options.
    /// </summary>
    private protected RecurrentLayer(
        RecurrentOptions options,
        Func<RecurrentLayer, CellOptions, RecurrentCell> createCell
    )
        : base(options.Name, options.InputShape, options.BatchSize)
    {
        if (options.Units <= 0)
            throw Error($"needs a positive number of units, got {options.Units}");
        if (!(options.Dropout >= 0f && options.Dropout <= 1f))
            throw Error($"needs dropout in [0, 1], got {options.Dropout}");
        if (!(options.RecurrentDropout >= 0f && options.RecurrentDropout <= 1f))
            throw Error($"needs recurrent_dropout in [0, 1], got {options.RecurrentDropout}");
        var cellOptions = new CellOptions(
            options.Units,
            ParseActivation(options.Activation, "activation"),
            options.UseBias,
            ParseInitializer(options.KernelInitializer, "kernel_initializer"),
            ParseInitializer(options.RecurrentInitializer, "recurrent_initializer"),
            ParseInitializer(options.BiasInitializer, "bias_initializer")
        );
        Options = options;
        Cell = createCell(this, cellOptions);
    }

    /// <summary>The step this layer runs over time (Keras' layer.cell): its equation, weights and own options.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>The shared constructor arguments as given.</summary>
    private protected RecurrentOptions Options { get; }

    public int Units => Cell.Units;

    /// <summary>The activation of the state (tanh by default): SimpleRNN's output, LSTM's candidate and act(c), GRU's candidate.</summary>
    public ActivationKind Activation => Cell.Activation;

    public bool UseBias => Cell.UseBias;

    public Initializer KernelInitializer => Cell.KernelInitializer;

    public Initializer RecurrentInitializer => Cell.RecurrentInitializer;

    public Initializer BiasInitializer => Cell.BiasInitializer;

    /// <summary>
    /// Fraction of the inputs dropped (Keras 2.x implementation 1: training only, one inverted mask per
    /// gate drawn per call, the same at every timestep). As in Keras, only 0 &lt; rate &lt; 1 drops anything.
    /// </summary>
    public float Dropout => Options.Dropout;

    /// <summary>Fraction of h_{t−1} dropped before the recurrent kernel (training only, one mask per gate per batch).</summary>
    public float RecurrentDropout => Options.RecurrentDropout;

    public bool ReturnSequences => Options.ReturnSequences;

    /// <summary>
    /// Keras' return_state. <see cref="Call"/> always returns the final states (and
    /// <see cref="BackwardThroughTime"/> takes their gradients); inside a Sequential only the output
    /// flows on, so there the flag is configuration only.
    /// </summary>
    public bool ReturnState => Options.ReturnState;

    public bool GoBackwards => Options.GoBackwards;

    /// <summary>Keep the final states of a batch as the initial states of the next (row i continues row i).</summary>
    public bool Stateful => Options.Stateful;

    /// <summary>Number of states: 1 (h) for SimpleRNN and GRU, 2 (h, c) for LSTM.</summary>
    public int StateCount => Cell.StateCount;

    /// <summary>W (I, G·u).</summary>
    public Parameter Kernel => Cell.Kernel ?? throw Error("has no weights before it is built");

    /// <summary>U (u, G·u).</summary>
    public Parameter RecurrentKernel => Cell.RecurrentKernel ?? throw Error("has no weights before it is built");

    /// <summary>b (G·u), or (2, 3u) for GRU with resetAfter; null without bias.</summary>
    public Parameter? Bias => Cell.Bias;

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

    private int GateCount => Cell.GateCount;

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

    protected override void BuildCore(TensorShape inputShape, SeededRandom rng) =>
        Cell.Build(inputShape[2]!.Value, (name, shape, initializer) => AddWeight(name, shape, initializer, rng));

    /// <summary>Inputs are checked in <see cref="Call"/>, which names what is wrong more precisely.</summary>
    protected override bool AcceptsVariableTime(int[] shape) => true;

    protected override Tensor ForwardCore(Tensor input, bool training) => Call(input, null, training).Output;

    protected override bool SupportsMasking => true;

    protected override Tensor ForwardCore(Tensor input, Tensor mask, bool training) =>
        Call(input, null, training, mask).Output;

    /// <summary>Keras: the output keeps the input's mask with returnSequences (one output per step), and has none otherwise.</summary>
    public override Tensor? ComputeMask(Tensor input, Tensor? mask) => ReturnSequences ? mask : null;

    /// <summary>
    /// Runs the layer over a batch (batch, T, features). <paramref name="initialState"/> replaces the
    /// zero (or carried) initial states: [h] or [h, c], (batch, units) each. <paramref name="training"/>
    /// turns dropout on. <paramref name="mask"/> (batch, T), Keras' mask from Embedding(maskZero: true):
    /// where it is 0 the step is padding and leaves the row's states unchanged, so its output (with
    /// returnSequences) repeats the previous one — h_{t−1}, the initial state before the first real step
    /// (docs/keras-semantics.md#masking). Returns the output and the final states (Keras' return_state list).
    /// </summary>
    public RecurrentOutput Call(
        Tensor inputs,
        Tensor[]? initialState = null,
        bool training = false,
        Tensor? mask = null
    )
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
        if (mask is not null && !mask.HasShape(batch, steps))
            throw Error(
                $"expected a mask of shape {Tensor.ShapeToString([batch, steps])} (batch, timesteps) but got {Tensor.ShapeToString(mask.Shape)}"
            );

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
        if (mask is not null)
        {
            if (_stepMask.Length != batch * steps)
                _stepMask = new float[batch * steps];
            mask.Data.CopyTo(_stepMask, 0);
        }
        PrepareShards(batch, steps, inputDim, inputMasks, recurrentMasks, mask is not null);

        if (Stateful && _carriedStates is null)
            _carriedStates = ZeroStates(batch);
        var start = initialState ?? (Stateful ? _carriedStates : null);
        // Every shard writes all its rows (every step with returnSequences), so a reused buffer is fully overwritten.
        var output = BatchBuffer(BufferRole.Output, ReturnSequences ? [batch, steps, Units] : [batch, Units]);
        var finalStates = StateBuffers(BufferRole.FinalState, BufferRole.FinalCellState, batch);
        Cell.PrepareForward();
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

        Cell.PrepareBackward();
        // Every shard writes ∂L/∂x of all its rows and steps, so a reused buffer is fully overwritten.
        var inputGradient = BatchBuffer(BufferRole.InputGradient, [_batch, _steps, _inputDim]);
        var initialGradients = StateBuffers(
            BufferRole.InitialStateGradient,
            BufferRole.InitialCellStateGradient,
            _batch
        );
        Engine.ForEachShard(
            _shardCount,
            i => BackwardShard(_shards[i], outputGradient, finalStateGradients, inputGradient, initialGradients)
        );
        _backwardDone = true;

        // Shard order, whatever the thread count: bit-identical results.
        for (int i = 0; i < _shardCount; i++)
        {
            var shard = _shards[i];
            AddInto(Kernel.Gradient.Data, shard.KernelGrad);
            AddInto(RecurrentKernel.Gradient.Data, shard.RecurrentGrad);
            if (Bias is not null)
                AddInto(Bias.Gradient.Data, shard.BiasGrad);
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

    /// <summary>Keras' get_config(): the common keys (name, trainable, dtype, batch_input_shape when declared), the shared options and the cell's own.</summary>
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
        Cell.AddConfig(config);
        return config;
    }

    /// <summary>A fresh, unbuilt layer with this configuration, the given name and direction (Bidirectional's backward copy).</summary>
    internal RecurrentLayer CloneConfiguration(string name, bool goBackwards)
    {
        var clone = WithOptions(
            Options with
            {
                Name = name,
                GoBackwards = goBackwards,
                InputShape = DeclaredInputShape,
                BatchSize = DeclaredBatchSize,
            }
        );
        clone.RecordInternals = RecordInternals;
        return clone;
    }

    /// <summary>A new layer of this type with these shared options and this layer's cell options.</summary>
    private protected abstract RecurrentLayer WithOptions(RecurrentOptions options);

    internal ActivationKind ParseActivation(string name, string argument)
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

    /// <summary>
    /// The final states of a forward pass or ∂L/∂(initial states) of a backward pass: fresh tensors,
    /// or inside a Sequential batch this layer's own (<see cref="Layer.BatchBuffer"/>; every shard writes
    /// all its rows of them), so a steady epoch allocates nothing for them.
    /// </summary>
    private Tensor[] StateBuffers(BufferRole hidden, BufferRole cell, int batch)
    {
        var states = new Tensor[StateCount];
        for (int k = 0; k < StateCount; k++)
            states[k] = BatchBuffer(k == 0 ? hidden : cell, [batch, Units]);
        return states;
    }

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
}
