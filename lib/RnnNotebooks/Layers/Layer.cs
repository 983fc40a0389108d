using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// The base of every layer, in the spirit of a Keras layer file: a config (constructor
/// arguments), <c>Build</c> (create the weights once the input shape is known), the forward
/// pass, and — next to it in each subclass — the backward pass.
/// <para>
/// Contract: <see cref="Backward"/> must be called after <see cref="Forward(Tensor, bool)"/> with the gradient
/// of the loss with respect to that forward call's output. It <b>adds</b> the parameter
/// gradients into <see cref="Parameter.Gradient"/> (call <see cref="ZeroGradients"/> between
/// batches) and returns the gradient with respect to the input.
/// </para>
/// </summary>
public abstract class Layer
{
    private readonly List<Parameter> _parameters = new();

    /// <param name="name">Layer name; null gives Keras' default (simple_rnn_1, dense_1, …).</param>
    /// <param name="inputShape">Keras' input_shape: one sample's shape, without the batch axis
    /// (use null for an unknown number of timesteps). Only needed on a model's first layer.</param>
    /// <param name="batchSize">Fixed batch size (Keras' batch_input_shape[0]); stateful layers need it.</param>
    protected Layer(string? name, int?[]? inputShape = null, int? batchSize = null)
    {
        Name = name ?? LayerNames.Next(TypeName);
        DeclaredInputShape = inputShape is null ? null : (int?[])inputShape.Clone();
        DeclaredBatchSize = batchSize;
    }

    public string Name { get; internal set; }

    /// <summary>The Keras class name shown by Summary(): SimpleRNN, LSTM, Dense, …</summary>
    public abstract string TypeName { get; }

    public int?[]? DeclaredInputShape { get; }

    public int? DeclaredBatchSize { get; }

    public bool IsBuilt { get; private set; }

    /// <summary>Input shape including the batch axis, known after <see cref="Build"/>.</summary>
    public TensorShape? InputShape { get; private set; }

    public TensorShape? OutputShape { get; private set; }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public long ParameterCount => _parameters.Sum(p => (long)p.Size);

    public long TrainableParameterCount => _parameters.Where(p => p.Trainable).Sum(p => (long)p.Size);

    /// <summary>This layer's random stream (dropout masks), set at build from the model's seed.</summary>
    protected SeededRandom Rng { get; private set; } = new(0);

    /// <summary>Creates the weights for inputs of <paramref name="inputShape"/> (batch axis included).</summary>
    public void Build(TensorShape inputShape, SeededRandom rng)
    {
        if (IsBuilt)
        {
            if (!Equals(InputShape, inputShape) && !CompatibleRebuild(inputShape))
                throw Error($"was built for inputs {InputShape} and cannot take inputs {inputShape}");
            return;
        }
        var output = ComputeOutputShape(inputShape);
        Rng = rng.Fork();
        BuildCore(inputShape, rng);
        InputShape = inputShape;
        OutputShape = output;
        IsBuilt = true;
    }

    /// <summary>Output shape for a given input shape; throws a <see cref="LayerException"/> if the input does not fit.</summary>
    public abstract TensorShape ComputeOutputShape(TensorShape inputShape);

    protected virtual void BuildCore(TensorShape inputShape, SeededRandom rng) { }

    /// <summary>Runs the layer. <paramref name="training"/> turns dropout on.</summary>
    public Tensor Forward(Tensor input, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsBuilt)
            Build(new TensorShape([null, .. input.Shape[1..].Select(d => (int?)d)]), new SeededRandom(0));
        if (!InputShape!.Accepts(input.Shape) && !AcceptsVariableTime(input.Shape))
            throw Error($"expected input of shape {InputShape} but got {Tensor.ShapeToString(input.Shape)}");
        return ForwardCore(input, training);
    }

    /// <summary>
    /// Runs the layer on an input that carries a Keras mask (batch, T): 1 marks a real timestep, 0 a
    /// padded one (docs/keras-semantics.md#masking). Recurrent layers skip the masked steps; layers that
    /// work step by step (Dense, Dropout, Activation) ignore the mask and pass it on (<see cref="ComputeMask"/>);
    /// any other layer refuses a mask, as Keras does. A null mask is the same as <see cref="Forward(Tensor, bool)"/>.
    /// </summary>
    public Tensor Forward(Tensor input, Tensor? mask, bool training = false)
    {
        if (mask is null)
            return Forward(input, training);
        if (!SupportsMasking)
            throw Error(
                "does not support masking, but its input carries a mask (from Embedding(maskZero: true)); Keras refuses this too"
            );
        ArgumentNullException.ThrowIfNull(input);
        if (!IsBuilt)
            Build(new TensorShape([null, .. input.Shape[1..].Select(d => (int?)d)]), new SeededRandom(0));
        if (!InputShape!.Accepts(input.Shape) && !AcceptsVariableTime(input.Shape))
            throw Error($"expected input of shape {InputShape} but got {Tensor.ShapeToString(input.Shape)}");
        return ForwardCore(input, mask, training);
    }

    protected abstract Tensor ForwardCore(Tensor input, bool training);

    /// <summary>The forward pass with an input mask; layers that only pass masks on keep the default, which ignores it.</summary>
    protected virtual Tensor ForwardCore(Tensor input, Tensor mask, bool training) => ForwardCore(input, training);

    /// <summary>Whether the layer accepts an input mask (Keras' supports_masking).</summary>
    protected virtual bool SupportsMasking => false;

    /// <summary>
    /// Keras' compute_mask: the mask this layer's output carries, given its input and input mask. By
    /// default a layer that supports masking passes the mask on unchanged; others produce none.
    /// </summary>
    public virtual Tensor? ComputeMask(Tensor input, Tensor? mask) => SupportsMasking ? mask : null;

    /// <summary>Back-propagates ∂L/∂output of the last Forward: adds parameter gradients, returns ∂L/∂input.</summary>
    public abstract Tensor Backward(Tensor outputGradient);

    public void ZeroGradients()
    {
        foreach (var p in _parameters)
            Array.Clear(p.Gradient.Data);
    }

    /// <summary>Copies of the weights in Keras order (kernel, recurrent_kernel, bias, …).</summary>
    public Tensor[] GetWeights() => _parameters.Select(p => p.Value.Clone()).ToArray();

    /// <summary>Sets the weights, in Keras order; each must have the shape of the existing weight.</summary>
    public void SetWeights(params Tensor[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!IsBuilt)
            throw Error("has no weights yet: build it (add it to a model with a known input shape) before SetWeights");
        if (weights.Length != _parameters.Count)
            throw Error(
                $"expects {_parameters.Count} weight arrays ({string.Join(", ", _parameters)}) but got {weights.Length}"
            );
        for (int i = 0; i < weights.Length; i++)
        {
            var p = _parameters[i];
            if (!weights[i].HasShape(p.Shape))
                throw Error(
                    $"weight {i} ({p.Name}) must have shape {Tensor.ShapeToString(p.Shape)} but got {Tensor.ShapeToString(weights[i].Shape)}"
                );
        }
        for (int i = 0; i < weights.Length; i++)
            weights[i].Data.CopyTo(_parameters[i].Value.Data, 0);
    }

    /// <summary>
    /// Set by <see cref="Models.Sequential"/> around one batch of its own Fit / Evaluate / Predict loops,
    /// and off everywhere else. Inside such a batch every output and input gradient is read by the
    /// next layer (or the loss, or Predict's copy) and is dead before the next batch, so a layer may
    /// return it in a buffer it owns and reuses (<see cref="BatchBuffer"/>) instead of a fresh tensor:
    /// the IMDB-shaped epoch otherwise allocates two (128, 500, 32) tensors per batch, all on the
    /// large-object heap. Called directly, Forward and Backward always return tensors the caller owns.
    /// </summary>
    internal bool ReusesBatchBuffers { get; set; }

    /// <summary>What a <see cref="BatchBuffer"/> holds; each role has its own buffers.</summary>
    private protected enum BufferRole
    {
        Output,
        InputGradient,
        Scratch,
        Mask,
        FinalState,
        FinalCellState,
        InitialStateGradient,
        InitialCellStateGradient,
    }

    /// <summary>At most this many shapes kept per role: full batches, the last short one, validation's.</summary>
    private const int BuffersPerRole = 4;

    /// <summary>Per role, the reused buffers, kept as long as the layer (a few batches' worth of memory).</summary>
    private readonly List<Tensor>?[] _batchBuffers = new List<Tensor>?[Enum.GetValues<BufferRole>().Length];

    /// <summary>
    /// A tensor of <paramref name="shape"/> for this batch: a fresh one (zeros) unless
    /// <see cref="ReusesBatchBuffers"/> is on, then this layer's buffer for that role and shape, which
    /// still holds an earlier batch's values — the caller must write every element.
    /// </summary>
    private protected Tensor BatchBuffer(BufferRole role, int[] shape)
    {
        if (!ReusesBatchBuffers)
            return new Tensor(shape);
        var buffers = _batchBuffers[(int)role] ??= [];
        foreach (var buffer in buffers)
            if (buffer.HasShape(shape))
                return buffer;
        if (buffers.Count == BuffersPerRole)
            buffers.RemoveAt(0);
        var fresh = new Tensor(shape);
        buffers.Add(fresh);
        return fresh;
    }

    /// <summary>Returns recurrent state to zeros (stateful layers); a no-op elsewhere.</summary>
    public virtual void ResetStates() { }

    /// <summary>
    /// Whether the layer carries state from one batch to the next (Keras' stateful=True): Fit then
    /// never shuffles, and every batch must have the layer's fixed size.
    /// </summary>
    public virtual bool IsStateful => false;

    /// <summary>The constructor arguments, as Keras' get_config(), for saving a model's architecture.</summary>
    public virtual IReadOnlyDictionary<string, object?> GetConfig() =>
        new Dictionary<string, object?> { ["name"] = Name };

    public override string ToString() => $"{Name} ({TypeName})";

    protected Parameter AddWeight(
        string name,
        int[] shape,
        Initializer initializer,
        SeededRandom rng,
        bool trainable = true
    )
    {
        var value = new Tensor(shape);
        initializer.Fill(value, rng);
        var p = new Parameter(name, value, trainable);
        _parameters.Add(p);
        return p;
    }

    /// <summary>
    /// Lists a weight owned by an inner layer (wrappers such as Bidirectional) as this layer's own,
    /// so it is counted, saved and trained with it; the Parameter object is shared, not copied.
    /// </summary>
    protected void TrackParameter(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        _parameters.Add(parameter);
    }

    /// <summary>An error that names this layer: "Layer 'lstm_1' (LSTM) expected …".</summary>
    protected LayerException Error(string message) => new($"Layer '{Name}' ({TypeName}) {message}.");

    /// <summary>Whether inputs whose time axis differs from the built one are fine (recurrent layers with None timesteps).</summary>
    protected virtual bool AcceptsVariableTime(int[] shape) => false;

    /// <summary>Whether a layer built for one input shape may be reused for another (batch size only, by default).</summary>
    protected virtual bool CompatibleRebuild(TensorShape inputShape) =>
        InputShape is not null
        && InputShape.Rank == inputShape.Rank
        && Enumerable.Range(1, inputShape.Rank - 1).All(i => InputShape[i] is null || InputShape[i] == inputShape[i]);
}
