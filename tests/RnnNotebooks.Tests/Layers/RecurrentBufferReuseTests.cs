using RnnNotebooks.Layers;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// Inside a Sequential batch (<see cref="Layer.ReusesBatchBuffers"/>) a recurrent layer hands back its
/// final states and ∂L/∂(initial states) in tensors it keeps, so a steady epoch allocates nothing for
/// them; outside one, every call returns tensors the caller owns. Either way the values are those of a
/// fresh call, whatever the earlier batch left in the kept tensors.
/// </summary>
public class RecurrentBufferReuseTests
{
    public static TheoryData<string> Cells() => new() { "simple", "lstm", "gru" };

    private static RecurrentLayer Create(string cell) =>
        cell switch
        {
            "simple" => new SimpleRNN(4, name: "r"),
            "lstm" => new LSTM(4, name: "r"),
            _ => new GRU(4, name: "r"),
        };

    [Theory]
    [MemberData(nameof(Cells))]
    public void States_and_their_gradients_are_kept_inside_a_batch_and_hold_a_fresh_calls_values(string cell)
    {
        var rng = new SeededRandom(3);
        var first = Rnd.Uniform(rng, 1f, 5, 6, 3);
        var second = Rnd.Uniform(rng, 1f, 5, 6, 3);
        var dOut = Rnd.Uniform(rng, 1f, 5, 4);

        var reference = Create(cell);
        reference.Build(new TensorShape(null, 6, 3), new SeededRandom(8));
        var fresh = reference.Call(second, training: true);
        var (_, freshGradients) = reference.BackwardThroughTime(dOut);

        var layer = Create(cell);
        layer.Build(new TensorShape(null, 6, 3), new SeededRandom(8));
        layer.ReusesBatchBuffers = true;
        var a = layer.Call(first, training: true);
        var (_, aGradients) = layer.BackwardThroughTime(dOut);
        var b = layer.Call(second, training: true);
        var (_, bGradients) = layer.BackwardThroughTime(dOut);

        for (int k = 0; k < b.States.Length; k++)
        {
            Assert.Same(a.States[k], b.States[k]);
            Assert.Same(aGradients[k], bGradients[k]);
            Assert.Equal(fresh.States[k].Data, b.States[k].Data);
            Assert.Equal(freshGradients[k].Data, bGradients[k].Data);
        }

        // A batch of another size gets tensors of its size; outside a batch every call gets its own.
        var third = layer.Call(Rnd.Uniform(rng, 1f, 3, 6, 3), training: true);
        Assert.Equal(3, third.States[0].Shape[0]);
        layer.ReusesBatchBuffers = false;
        var own1 = layer.Call(second).States;
        var own2 = layer.Call(second).States;
        Assert.NotSame(own1[0], own2[0]);
        Assert.NotSame(b.States[0], own1[0]);
    }
}
