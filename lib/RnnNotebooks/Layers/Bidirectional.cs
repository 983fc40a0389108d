using RnnNotebooks.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Bidirectional wrapper: the wrapped layer reads the sequence
/// forwards and a second copy, built from its configuration with go_backwards inverted and with
/// its own weights, reads it backwards. Inner names become forward_&lt;name&gt; / backward_&lt;name&gt;.
/// <para>
/// With returnSequences the backward copy's outputs are put back in input order before merging,
/// so position t of both halves refers to x_t; otherwise the backward half is its state after
/// reading x_0. Merge modes: concat [y_f, y_b] (2u features), sum y_f + y_b, ave (y_f + y_b)/2,
/// mul y_f ⊙ y_b. Weights: the forward layer's, then the backward layer's (2 × the inner count).
/// </para>
/// <para>
/// Merge mode null (Keras' merge_mode=None) keeps both: <see cref="CallUnmerged"/> returns y_f and
/// y_b (with the same alignment) and the states, and <see cref="BackwardThroughTime(Tensor, Tensor, Tensor[])"/>
/// takes a gradient for each. Such a layer has two outputs, so it cannot be a layer of a
/// <c>Sequential</c> (Keras refuses it there too) and its single-tensor Forward/Call refuse it.
/// See docs/keras-semantics.md#bidirectional.
/// </para>
/// </summary>
public sealed class Bidirectional : Layer
{
    private static readonly string[] MergeModes = ["concat", "sum", "mul", "ave"];

    /// <summary>The result of <see cref="CallUnmerged"/>: each direction's output, then the forward layer's states and the backward layer's.</summary>
    public sealed record UnmergedOutput(Tensor Forward, Tensor Backward, Tensor[] States);

    /// <summary>The wrapped layer's own name (before forward_/backward_), which its config keeps, as in Keras.</summary>
    private readonly string _innerName;
    private Tensor? _forwardOutput;
    private Tensor? _backwardOutput;

    public Bidirectional(
        RecurrentLayer layer,
        string? mergeMode = "concat",
        string? name = null,
        int?[]? inputShape = null,
        int? batchSize = null
    )
        : base(name, inputShape ?? layer?.DeclaredInputShape, batchSize ?? layer?.DeclaredBatchSize)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt)
            throw Error($"needs a layer that is not built yet, but '{layer.Name}' already is");
        if (mergeMode is not null && !MergeModes.Contains(mergeMode))
            throw Error(
                $"got an unknown merge mode '{mergeMode}' (expected one of {string.Join(", ", MergeModes)}, or null for both outputs)"
            );
        MergeMode = mergeMode;
        _innerName = layer.Name;
        BackwardLayer = layer.CloneConfiguration("backward_" + _innerName, !layer.GoBackwards);
        layer.Name = "forward_" + _innerName;
        ForwardLayer = layer;
    }

    public override string TypeName => "Bidirectional";

    /// <summary>The wrapped layer, renamed forward_&lt;name&gt;.</summary>
    public RecurrentLayer ForwardLayer { get; }

    /// <summary>The copy reading the other way, backward_&lt;name&gt;, with its own weights.</summary>
    public RecurrentLayer BackwardLayer { get; }

    /// <summary>concat, sum, mul, ave, or null: both outputs, unmerged.</summary>
    public string? MergeMode { get; }

    public bool ReturnSequences => ForwardLayer.ReturnSequences;

    public override bool IsStateful => ForwardLayer.Stateful;

    /// <summary>The merged output's shape; with merge mode null, the shape of each direction's output.</summary>
    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        var inner = ForwardLayer.ComputeOutputShape(inputShape);
        return MergeMode == "concat" ? inner.WithLast(2 * ForwardLayer.Units) : inner;
    }

    /// <summary>
    /// The output shape as Keras' summary prints it: "(None, 12)" when merged; with merge mode null
    /// the list of what the layer returns, "[(None, 6), (None, 6)]", followed by the state shapes
    /// (forward's, then backward's) when the layer returns its state. Null before the layer is built.
    /// </summary>
    public string? SummaryOutputShape
    {
        get
        {
            if (OutputShape is not { } shape)
                return null;
            if (MergeMode is not null)
                return shape.ToString();
            var state = new TensorShape([shape[0], ForwardLayer.Units]).ToString();
            var parts = new List<string> { shape.ToString(), shape.ToString() };
            if (ForwardLayer.ReturnState)
                parts.AddRange(Enumerable.Repeat(state, 2 * ForwardLayer.StateCount));
            return "[" + string.Join(", ", parts) + "]";
        }
    }

    protected override void BuildCore(TensorShape inputShape, SeededRandom rng)
    {
        ForwardLayer.Build(inputShape, rng);
        BackwardLayer.Build(inputShape, rng);
        foreach (var p in ForwardLayer.Parameters.Concat(BackwardLayer.Parameters))
            TrackParameter(p);
    }

    /// <summary>The inner layers check the inputs and name what is wrong.</summary>
    protected override bool AcceptsVariableTime(int[] shape) => true;

    protected override Tensor ForwardCore(Tensor input, bool training) => Call(input, null, training).Output;

    /// <summary>An error for single-output use of a layer with merge mode null.</summary>
    private LayerException TwoOutputs(string what) =>
        Error($"has merge mode null and returns two outputs, so {what}; use CallUnmerged, or a merge mode");

    protected override bool SupportsMasking => true;

    protected override Tensor ForwardCore(Tensor input, Tensor mask, bool training) =>
        Call(input, null, training, mask).Output;

    /// <summary>As a recurrent layer: the mask passes on with returnSequences only.</summary>
    public override Tensor? ComputeMask(Tensor input, Tensor? mask) => ReturnSequences ? mask : null;

    /// <summary>
    /// Runs both directions and merges them. <paramref name="initialState"/>: the forward layer's
    /// states followed by the backward layer's. The returned states are ordered the same way
    /// (Keras: [output] + forward states + backward states). Both directions skip the steps
    /// <paramref name="mask"/> marks as padding; a padded step's output repeats each direction's
    /// previous one, as in Keras 2.x (docs/keras-semantics.md#bidirectional).
    /// </summary>
    public RecurrentOutput Call(
        Tensor inputs,
        Tensor[]? initialState = null,
        bool training = false,
        Tensor? mask = null
    )
    {
        if (MergeMode is null)
            throw TwoOutputs("it has no single output to return");
        var (forward, backward, states) = RunBoth(inputs, initialState, training, mask);
        return new RecurrentOutput(Merge(forward, backward), states);
    }

    /// <summary>
    /// Keras' merge_mode=None: runs both directions and returns their outputs unmerged (the
    /// backward one time-aligned as in <see cref="Call"/>) and the states, forward layer's then
    /// backward layer's. <paramref name="initialState"/> is ordered the same way.
    /// </summary>
    public UnmergedOutput CallUnmerged(
        Tensor inputs,
        Tensor[]? initialState = null,
        bool training = false,
        Tensor? mask = null
    )
    {
        if (MergeMode is not null)
            throw Error($"merges its outputs ({MergeMode}); CallUnmerged needs merge mode null, use Call");
        var (forward, backward, states) = RunBoth(inputs, initialState, training, mask);
        return new UnmergedOutput(forward, backward, states);
    }

    /// <summary>Both directions on <paramref name="inputs"/>; remembers their outputs for the backward pass.</summary>
    private (Tensor Forward, Tensor Backward, Tensor[] States) RunBoth(
        Tensor inputs,
        Tensor[]? initialState,
        bool training,
        Tensor? mask
    )
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (!IsBuilt)
        {
            int? features = inputs.Shape.Length == 3 ? inputs.Shape[2] : null;
            int?[] sample = DeclaredInputShape ?? [null, features];
            Build(new TensorShape([DeclaredBatchSize, .. sample]), new SeededRandom(0));
        }
        int k = ForwardLayer.StateCount;
        if (initialState is not null && initialState.Length != 2 * k)
            throw Error(
                $"expected {2 * k} initial states (the forward layer's {k}, then the backward layer's {k}) but got {initialState.Length}"
            );
        var forward = ForwardLayer.Call(inputs, initialState?[..k], training, mask);
        var backward = BackwardLayer.Call(inputs, initialState?[k..], training, mask);
        _forwardOutput = forward.Output;
        _backwardOutput = ReturnSequences ? ReverseTime(backward.Output) : backward.Output;
        return (_forwardOutput, _backwardOutput, [.. forward.States, .. backward.States]);
    }

    public override Tensor Backward(Tensor outputGradient) => BackwardThroughTime(outputGradient).InputGradient;

    /// <summary>
    /// Backward pass of the last <see cref="Call"/>: splits ∂L/∂output between the two directions
    /// (concat: by halves; sum: to both; ave: half to each; mul: ⊙ the other direction's output),
    /// runs BPTT in each and returns the sum of their input gradients and the initial-state
    /// gradients (forward layer's, then backward layer's).
    /// </summary>
    public (Tensor InputGradient, Tensor[] InitialStateGradients) BackwardThroughTime(
        Tensor outputGradient,
        Tensor[]? finalStateGradients = null
    )
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (MergeMode is null)
            throw TwoOutputs("its backward pass takes one gradient per direction");
        if (_forwardOutput is null || _backwardOutput is null)
            throw Error("cannot run a backward pass before a forward pass");
        int[] expected = OutputShapeOf(_forwardOutput);
        if (!outputGradient.HasShape(expected))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(expected)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        var (forwardGradient, backwardGradient) = Split(outputGradient);
        return BackwardBoth(forwardGradient, backwardGradient, finalStateGradients);
    }

    /// <summary>
    /// Backward pass of the last <see cref="CallUnmerged"/> (merge mode null): ∂L/∂y_f and ∂L/∂y_b,
    /// each of the shape of its output; returns ∂L/∂x (the sum of both directions') and the
    /// initial-state gradients (forward layer's, then backward layer's).
    /// </summary>
    public (Tensor InputGradient, Tensor[] InitialStateGradients) BackwardThroughTime(
        Tensor forwardGradient,
        Tensor backwardGradient,
        Tensor[]? finalStateGradients = null
    )
    {
        ArgumentNullException.ThrowIfNull(forwardGradient);
        ArgumentNullException.ThrowIfNull(backwardGradient);
        if (MergeMode is not null)
            throw Error($"merges its outputs ({MergeMode}), so its backward pass takes one output gradient");
        if (_forwardOutput is null || _backwardOutput is null)
            throw Error("cannot run a backward pass before a forward pass");
        foreach (var (gradient, direction) in new[] { (forwardGradient, "forward"), (backwardGradient, "backward") })
            if (!gradient.HasShape(_forwardOutput.Shape))
                throw Error(
                    $"expected a {direction} output gradient of shape {Tensor.ShapeToString(_forwardOutput.Shape)} but got {Tensor.ShapeToString(gradient.Shape)}"
                );
        // Copies: the inner layers may work in the gradients they are given.
        return BackwardBoth(forwardGradient.Clone(), backwardGradient.Clone(), finalStateGradients);
    }

    /// <summary>BPTT in each direction from its (time-aligned) output gradient; sums the input gradients.</summary>
    private (Tensor InputGradient, Tensor[] InitialStateGradients) BackwardBoth(
        Tensor forwardGradient,
        Tensor backwardGradient,
        Tensor[]? finalStateGradients
    )
    {
        int k = ForwardLayer.StateCount;
        if (finalStateGradients is not null && finalStateGradients.Length != 2 * k)
            throw Error($"expected {2 * k} final state gradients but got {finalStateGradients.Length}");
        if (ReturnSequences)
            backwardGradient = ReverseTime(backwardGradient);
        var forward = ForwardLayer.BackwardThroughTime(forwardGradient, finalStateGradients?[..k]);
        var backward = BackwardLayer.BackwardThroughTime(backwardGradient, finalStateGradients?[k..]);
        var inputGradient = forward.InputGradient;
        TensorPrimitives.Add(inputGradient.Data, backward.InputGradient.Data, inputGradient.Data);
        return (inputGradient, [.. forward.InitialStateGradients, .. backward.InitialStateGradients]);
    }

    public override void ResetStates()
    {
        ForwardLayer.ResetStates();
        BackwardLayer.ResetStates();
    }

    /// <summary>Sets the carried states of a stateful wrapped layer: the forward layer's, then the backward layer's.</summary>
    public void ResetStates(Tensor[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int k = ForwardLayer.StateCount;
        if (values.Length != 2 * k)
            throw Error(
                $"expected {2 * k} states (the forward layer's {k}, then the backward layer's {k}) but got {values.Length}"
            );
        ForwardLayer.ResetStates(values[..k]);
        BackwardLayer.ResetStates(values[k..]);
    }

    /// <summary>The carried states of a stateful wrapped layer (forward's, then backward's); null otherwise.</summary>
    public Tensor[]? States =>
        ForwardLayer.States is { } forward && BackwardLayer.States is { } backward ? [.. forward, .. backward] : null;

    /// <summary>
    /// Keras' get_config(): the common keys, merge_mode and the wrapped layer as
    /// <c>{"class_name": …, "config": …}</c> under its own name (Keras keeps the original layer,
    /// whose config does not say forward_).
    /// </summary>
    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var inner = new Dictionary<string, object?>(ForwardLayer.GetConfig()) { ["name"] = _innerName };
        var config = LayerConfig.Common(this);
        config["layer"] = new Dictionary<string, object?>
        {
            ["class_name"] = ForwardLayer.TypeName,
            ["config"] = inner,
        };
        // null (merge_mode=None) is written as JSON null, as Keras does.
        config["merge_mode"] = MergeMode;
        return config;
    }

    /// <summary>The wrapper a config from <see cref="GetConfig"/> describes, with a fresh wrapped layer (fresh weights).</summary>
    public static Bidirectional FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var inner = config.Layer("layer");
        if (inner is not RecurrentLayer recurrent)
            throw new LayerException(
                $"Config of Bidirectional{(config.Name is { } n ? $" '{n}'" : "")}: 'layer' must be a SimpleRNN, LSTM or GRU, got {inner.TypeName}."
            );
        // A missing merge_mode takes Keras' default; an explicit null means both outputs.
        string? mergeMode = config.Contains("merge_mode") ? config.OptionalString("merge_mode") : "concat";
        return new Bidirectional(recurrent, mergeMode, config.Name, config.InputShape, config.BatchSize);
    }

    private int[] OutputShapeOf(Tensor half)
    {
        var shape = (int[])half.Shape.Clone();
        if (MergeMode == "concat")
            shape[^1] *= 2;
        return shape;
    }

    private Tensor Merge(Tensor forward, Tensor backward)
    {
        int units = ForwardLayer.Units;
        var merged = new Tensor(OutputShapeOf(forward));
        switch (MergeMode)
        {
            case "concat":
                int rows = forward.Size / units;
                for (int r = 0; r < rows; r++)
                {
                    forward.Data.AsSpan(r * units, units).CopyTo(merged.Data.AsSpan(2 * r * units, units));
                    backward.Data.AsSpan(r * units, units).CopyTo(merged.Data.AsSpan((2 * r + 1) * units, units));
                }
                break;
            case "sum":
                TensorPrimitives.Add(forward.Data, backward.Data, merged.Data);
                break;
            case "ave":
                TensorPrimitives.Add(forward.Data, backward.Data, merged.Data);
                TensorPrimitives.Multiply(merged.Data, 0.5f, merged.Data);
                break;
            case "mul":
                TensorPrimitives.Multiply(forward.Data, backward.Data, merged.Data);
                break;
        }
        return merged;
    }

    private (Tensor Forward, Tensor Backward) Split(Tensor gradient)
    {
        var forward = new Tensor(_forwardOutput!.Shape);
        var backward = new Tensor(_forwardOutput.Shape);
        int units = ForwardLayer.Units;
        switch (MergeMode)
        {
            case "concat":
                int rows = forward.Size / units;
                for (int r = 0; r < rows; r++)
                {
                    gradient.Data.AsSpan(2 * r * units, units).CopyTo(forward.Data.AsSpan(r * units, units));
                    gradient.Data.AsSpan((2 * r + 1) * units, units).CopyTo(backward.Data.AsSpan(r * units, units));
                }
                break;
            case "sum":
                gradient.Data.CopyTo(forward.Data, 0);
                gradient.Data.CopyTo(backward.Data, 0);
                break;
            case "ave":
                TensorPrimitives.Multiply(gradient.Data, 0.5f, forward.Data);
                forward.Data.CopyTo(backward.Data, 0);
                break;
            case "mul":
                TensorPrimitives.Multiply(gradient.Data, _backwardOutput!.Data, forward.Data);
                TensorPrimitives.Multiply(gradient.Data, _forwardOutput.Data, backward.Data);
                break;
        }
        return (forward, backward);
    }

    /// <summary>(batch, T, u) with the time axis reversed.</summary>
    private static Tensor ReverseTime(Tensor sequence)
    {
        int batch = sequence.Shape[0],
            steps = sequence.Shape[1],
            units = sequence.Shape[2];
        var reversed = new Tensor(sequence.Shape);
        for (int b = 0; b < batch; b++)
        for (int t = 0; t < steps; t++)
            sequence
                .Data.AsSpan((b * steps + t) * units, units)
                .CopyTo(reversed.Data.AsSpan((b * steps + steps - 1 - t) * units, units));
        return reversed;
    }
}
