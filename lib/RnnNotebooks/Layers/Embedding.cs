using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Layers;

/// <summary>
/// Keras' Embedding: turns token ids into dense vectors by row lookup,
/// <c>y[b, t, :] = E[x[b, t], :]</c>, with the weight <c>embeddings</c> E of shape (V, D)
/// (V = inputDim, D = outputDim; parameters V·D).
/// <para>
/// Input (batch, T) of token ids stored as floats (as Keras feeds them; a fractional id is
/// truncated, like Keras' cast to int32); output (batch, T, D). An id outside [0, V) is an error,
/// as in Keras on CPU. The layer always declares its input shape <c>[inputLength]</c> (null:
/// unknown number of timesteps), so a model that starts with it is built at once and its summary
/// prints <c>(None, None, 32)</c> or <c>(None, 400, 50)</c>.
/// </para>
/// <para>
/// Backward: ∂L/∂E[v, :] = Σ over positions (b, t) with x[b, t] = v of ∂L/∂y[b, t, :]. Token ids
/// are not differentiable, so the returned input gradient is all zeros.
/// </para>
/// <para>Keras' rules: docs/keras-semantics.md#embedding.</para>
/// </summary>
public sealed class Embedding : Layer
{
    private Parameter _embeddings = null!;
    private int[]? _ids;
    private int _idCount;
    private int[]? _inputShape;

    /// <param name="inputDim">Vocabulary size V: ids run from 0 to V − 1.</param>
    /// <param name="outputDim">Vector size D.</param>
    /// <param name="embeddingsInitializer">Keras name; 'uniform' is U(−0.05, 0.05).</param>
    /// <param name="maskZero">Keras' mask_zero: id 0 is padding. The output then carries a mask
    /// (<see cref="ComputeMask(Tensor)"/>) that a Sequential passes on to the next layers; a recurrent
    /// layer skips the padded steps (docs/keras-semantics.md#masking). Without it padding is a token
    /// like any other. Unlike Keras, a mask that reaches the model's output (returnSequences up to the
    /// last layer) does not weight the loss.</param>
    /// <param name="inputLength">Fixed sequence length T, or null for any length.</param>
    /// <param name="name">Layer name; null gives embedding_1, embedding_2, …</param>
    /// <param name="batchSize">Fixed batch size (stateful models).</param>
    public Embedding(
        int inputDim,
        int outputDim,
        string embeddingsInitializer = "uniform",
        bool maskZero = false,
        int? inputLength = null,
        string? name = null,
        int? batchSize = null
    )
        : base(name, [inputLength], batchSize)
    {
        if (inputDim <= 0)
            throw Error($"needs a positive input_dim (vocabulary size), got {inputDim}");
        if (outputDim <= 0)
            throw Error($"needs a positive output_dim (vector size), got {outputDim}");
        if (inputLength is <= 0)
            throw Error($"needs a positive input_length or none, got {inputLength}");
        InputDim = inputDim;
        OutputDim = outputDim;
        EmbeddingsInitializer = ParseInitializer(embeddingsInitializer);
        MaskZero = maskZero;
        InputLength = inputLength;
    }

    public override string TypeName => "Embedding";

    /// <summary>V, the number of rows (vocabulary size).</summary>
    public int InputDim { get; }

    /// <summary>D, the length of each vector.</summary>
    public int OutputDim { get; }

    public Initializer EmbeddingsInitializer { get; }

    public bool MaskZero { get; }

    public int? InputLength { get; }

    /// <summary>E, shape (V, D).</summary>
    public Parameter Embeddings => _embeddings;

    public override TensorShape ComputeOutputShape(TensorShape inputShape)
    {
        if (inputShape.Rank != 2)
            throw Error($"expected input of rank 2 (batch, timesteps) but got {inputShape}");
        if (InputLength is int length && inputShape[1] is int t && t != length)
            throw Error($"expected {length} timesteps (input_length) but got input shape {inputShape}");
        return new TensorShape(inputShape[0], inputShape[1], OutputDim);
    }

    protected override void BuildCore(TensorShape inputShape, SeededRandom rng) =>
        _embeddings = AddWeight("embeddings", [InputDim, OutputDim], EmbeddingsInitializer, rng);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        var ids = TokenIds(input);
        int d = OutputDim;
        // Every position p copies a whole row, so a reused buffer is fully overwritten.
        var output = BatchBuffer(BufferRole.Output, [input.Shape[0], input.Shape[1], d]);
        var table = _embeddings.Value.Data;
        var outData = output.Data;
        // Shards of whole samples on the engine's threads: the gather writes the batch's largest tensor
        // (8 MB for an IMDB batch), and one core alone waits on memory for most of it.
        int batch = input.Shape[0],
            positionsPerSample = input.Shape[1];
        Engine.ForEachShard(
            Engine.ShardCount(batch),
            shard =>
            {
                var (start, end) = Engine.ShardRange(batch, shard);
                GatherRows(table, ids, outData, d, start * positionsPerSample, end * positionsPerSample);
            }
        );
        _ids = ids;
        _idCount = input.Size;
        _inputShape = input.Shape;
        return output;
    }

    public override Tensor Backward(Tensor outputGradient)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (_ids is null || _inputShape is null)
            throw Error("cannot run Backward before Forward");
        int d = OutputDim;
        int[] expected = [.. _inputShape, d];
        if (!outputGradient.HasShape(expected))
            throw Error(
                $"expected an output gradient of shape {Tensor.ShapeToString(expected)} but got {Tensor.ShapeToString(outputGradient.Shape)}"
            );
        // Positions are visited in order, so rows hit by several tokens sum in a fixed order. (Splitting
        // the work over threads measured slower: the scatter is ≈ 0.5 ms per IMDB batch on one core.)
        AddRows(_embeddings.Gradient.Data, _ids, _idCount, outputGradient.Data, d);
        var inputGradient = BatchBuffer(BufferRole.InputGradient, _inputShape);
        Array.Clear(inputGradient.Data); // a reused buffer may have been written by its reader
        return inputGradient;
    }

    /// <summary>y[p] = E[id_p] for the positions p in [first, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherRows(float[] table, int[] ids, float[] output, int d, int first, int end)
    {
        if ((long)end * d > output.Length)
            throw new ArgumentException("output shorter than the positions");
        ref float e = ref MemoryMarshal.GetArrayDataReference(table);
        ref float y = ref MemoryMarshal.GetArrayDataReference(output);
        // ids were checked against [0, V) by TokenIds, so every row lies inside the table.
        for (int p = first; p < end; p++)
            Elementwise.CopyRow(ref Unsafe.Add(ref e, (nint)ids[p] * d), ref Unsafe.Add(ref y, (nint)p * d), d);
    }

    /// <summary>∂E[id_p] += ∂y[p] for every position p, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRows(float[] grad, int[] ids, int count, float[] dOut, int d)
    {
        ref float g = ref MemoryMarshal.GetArrayDataReference(grad);
        ref float dy = ref MemoryMarshal.GetArrayDataReference(dOut);
        for (int p = 0; p < count; p++)
        {
            ref float row = ref Unsafe.Add(ref g, ids[p] * d);
            ref float src = ref Unsafe.Add(ref dy, p * d);
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; j <= d - Vector256<float>.Count; j += Vector256<float>.Count)
                    (Vector256.LoadUnsafe(ref row, (nuint)j) + Vector256.LoadUnsafe(ref src, (nuint)j)).StoreUnsafe(
                        ref row,
                        (nuint)j
                    );
            for (; j < d; j++)
                Unsafe.Add(ref row, j) += Unsafe.Add(ref src, j);
        }
    }

    /// <summary>The mask of the output: <see cref="ComputeMask(Tensor)"/> of the ids (an Embedding starts a mask, it does not take one).</summary>
    public override Tensor? ComputeMask(Tensor input, Tensor? mask) => ComputeMask(input);

    /// <summary>Keras' mask for mask_zero: 1 where the id is not 0, else 0; shape (batch, T). Null when maskZero is off.</summary>
    public Tensor? ComputeMask(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!MaskZero)
            return null;
        if (input.Rank != 2)
            throw Error($"expected input of rank 2 (batch, timesteps) but got {Tensor.ShapeToString(input.Shape)}");
        // Every element is written, so inside a Sequential's batch a reused buffer is fine.
        var mask = BatchBuffer(BufferRole.Mask, input.Shape);
        for (int i = 0; i < input.Size; i++)
            mask.Data[i] = (int)input.Data[i] != 0 ? 1f : 0f;
        return mask;
    }

    /// <summary>The ids as integers, checked against [0, V) with the first offender's position in the error.</summary>
    /// <remarks>
    /// The ids of the last forward pass are kept for Backward in an array reused while the batches
    /// fit in it; all are checked before any is written, so a failed call leaves the last
    /// successful call's ids (and its Backward) intact.
    /// </remarks>
    private int[] TokenIds(Tensor input)
    {
        int steps = input.Shape[1];
        var data = input.Data;
        for (int p = 0; p < data.Length; p++)
        {
            float v = data[p];
            // float → int truncates toward zero, as Keras' cast does; NaN and huge values fail the range test.
            if (!(v > -1f && v < InputDim))
                throw Error(
                    $"got token index {FormatId(v)} at position (sample {p / steps}, timestep {p % steps}), "
                        + $"but indices must be in [0, {InputDim}) (input_dim = {InputDim})"
                );
        }
        // The array is kept while batches fit in it (a short last batch, validation, the next epoch).
        var ids = _ids is { } previous && previous.Length >= data.Length ? previous : new int[data.Length];
        for (int p = 0; p < data.Length; p++)
            ids[p] = (int)data[p];
        return ids;
    }

    private static string FormatId(float v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private Initializer ParseInitializer(string name)
    {
        try
        {
            return Initializer.FromName(name);
        }
        catch (ArgumentException e)
        {
            throw Error($"has an unknown embeddings_initializer: {e.Message}");
        }
    }

    public override IReadOnlyDictionary<string, object?> GetConfig()
    {
        var config = LayerConfig.Common(this);
        config["input_dim"] = InputDim;
        config["output_dim"] = OutputDim;
        config["embeddings_initializer"] = EmbeddingsInitializer.Name;
        config["mask_zero"] = MaskZero;
        config["input_length"] = InputLength;
        return config;
    }

    /// <summary>The layer a config from <see cref="GetConfig"/> describes (fresh weights).</summary>
    public static Embedding FromConfig(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new Embedding(
            config.Int("input_dim"),
            config.Int("output_dim"),
            config.String("embeddings_initializer", "uniform"),
            config.Bool("mask_zero", false),
            config.OptionalInt("input_length"),
            config.Name,
            config.BatchSize
        );
    }
}
