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
/// </summary>
public sealed class Bidirectional : Layer
{
    private static readonly string[] MergeModes = ["concat", "sum", "mul", "ave"];

    /// <summary>The wrapped layer's own name (before forward_/backward_), which its config keeps, as in Keras.</summary>
    private readonly string _innerName;
    private Tensor? _forwardOutput;
    private Tensor? _backwardOutput;

    public Bidirectional(
        RecurrentLayer layer,
        string mergeMode = "concat",
        string? name = null,
        int?[]? inputShape = null,
        int? batchSize = null
    )
        : base(name, inputShape ?? layer?.DeclaredInputShape, batchSize ?? layer?.DeclaredBatchSize)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt)
            throw Error($"needs a layer that is not built yet, but '{layer.Name}' already is");
        if (!MergeModes.Contains(mergeMode))
            throw Error($"got an unknown merge mode '{mergeMode}' (expected one of {string.Join(", ", MergeModes)})");
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

    public string MergeMode { get; }

    public bool ReturnSequences => ForwardLayer.ReturnSequences;

    public override bool IsStateful => ForwardLayer.Stateful;

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        var inner = ForwardLayer.ComputeOutputShape(inputShape);
        return MergeMode == "concat" ? inner.WithLast(2 * ForwardLayer.Units) : inner;
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
        return new RecurrentOutput(Merge(_forwardOutput, _backwardOutput), [.. forward.States, .. backward.States]);
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
        if (_forwardOutput is null || _backwardOutput is null)
            throw Error("cannot run a backward pass before a forward pass");
        int[] expected = OutputShapeOf(_forwardOutput);
        if (!outputGradient.HasShape(expected))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(expected)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        int k = ForwardLayer.StateCount;
        if (finalStateGradients is not null && finalStateGradients.Length != 2 * k)
            throw Error($"expected {2 * k} final state gradients but got {finalStateGradients.Length}");

        var (forwardGradient, backwardGradient) = Split(outputGradient);
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
        return new Bidirectional(
            recurrent,
            config.String("merge_mode", "concat"),
            config.Name,
            config.InputShape,
            config.BatchSize
        );
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
