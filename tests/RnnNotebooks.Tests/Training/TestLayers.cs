using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// An identity layer that records, for every Forward call, the first feature of each input row and
/// whether it ran in training mode. Feeding x[i] = i reveals which samples each batch held.
/// </summary>
internal sealed class RecordingLayer : Layer
{
    public RecordingLayer(int?[] inputShape)
        : base(null, inputShape) { }

    public override string TypeName => "Recording";

    public List<(bool Training, float[] FirstFeatures)> Calls { get; } = new();

    public override TensorShape ComputeOutputShape(TensorShape inputShape) => inputShape;

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        int stride = input.Size / input.Shape[0];
        Calls.Add((training, Enumerable.Range(0, input.Shape[0]).Select(r => input.Data[r * stride]).ToArray()));
        return input.Clone();
    }

    public override Tensor Backward(Tensor outputGradient) => outputGradient.Clone();
}

/// <summary>
/// A stand-in for a stateful recurrent layer (fixed batch size, IsStateful): it keeps one
/// running sum per batch slot, adds each input row to its slot and outputs the new sum. So the output
/// depends on every earlier batch since the last ResetStates, exactly what carried state means.
/// </summary>
internal sealed class RunningSumLayer : Layer
{
    private float[]? _state;

    public RunningSumLayer(int features, int batchSize)
        : base(null, [features], batchSize) { }

    public override string TypeName => "RunningSum";

    public int Resets { get; private set; }

    public override TensorShape ComputeOutputShape(TensorShape inputShape) => inputShape;

    protected override Tensor ForwardCore(Tensor input, bool training)
    {
        _state ??= new float[input.Size];
        var output = new Tensor(input.Shape);
        for (int i = 0; i < input.Size; i++)
        {
            _state[i] += input.Data[i];
            output.Data[i] = _state[i];
        }
        return output;
    }

    public override Tensor Backward(Tensor outputGradient) => outputGradient.Clone();

    public override void ResetStates()
    {
        if (_state is not null)
            Array.Clear(_state);
        Resets++;
    }

    public override bool IsStateful => true;
}

/// <summary>A temporary folder removed at dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } =
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnn-training-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
    }
}
