using System.Text.Json;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Serialization;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

/// <summary>
/// Bidirectional with merge mode null (Keras' merge_mode=None): both directions' outputs unmerged,
/// equal to the two layers run separately; gradients by central differences; config round trip;
/// Keras' summary layout; and the refusals (Sequential, single-output Forward/Call/Backward).
/// </summary>
public class BidirectionalUnmergedTests
{
    private const int Batch = 2,
        Steps = 4,
        Features = 3,
        Units = 5;

    private static Bidirectional Built(RecurrentLayer inner, string? mergeMode = null)
    {
        var bi = new Bidirectional(inner, mergeMode, name: "both");
        bi.Build(new TensorShape([null, Steps, Features]), new SeededRandom(17));
        return bi;
    }

    private static RecurrentLayer Inner(
        string kind,
        bool returnSequences,
        bool returnState = false,
        bool goBackwards = false
    ) =>
        kind switch
        {
            "SimpleRNN" => new SimpleRNN(
                Units,
                returnSequences: returnSequences,
                returnState: returnState,
                goBackwards: goBackwards
            ),
            "LSTM" => new LSTM(
                Units,
                returnSequences: returnSequences,
                returnState: returnState,
                goBackwards: goBackwards
            ),
            _ => new GRU(
                Units,
                returnSequences: returnSequences,
                returnState: returnState,
                goBackwards: goBackwards,
                resetAfter: true
            ),
        };

    /// <summary>(batch, T, u) with the time axis reversed.</summary>
    private static Tensor Reversed(Tensor sequence)
    {
        var reversed = new Tensor(sequence.Shape);
        int units = sequence.Shape[2];
        for (int b = 0; b < sequence.Shape[0]; b++)
        for (int t = 0; t < Steps; t++)
            Array.Copy(
                sequence.Data,
                (b * Steps + t) * units,
                reversed.Data,
                (b * Steps + Steps - 1 - t) * units,
                units
            );
        return reversed;
    }

    private static int[] Bits(Tensor t) => t.Data.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [InlineData("SimpleRNN", true)]
    [InlineData("SimpleRNN", false)]
    [InlineData("LSTM", true)]
    [InlineData("LSTM", false)]
    [InlineData("GRU", true)]
    [InlineData("GRU", false)]
    public void Outputs_AreTheForwardLayer_AndAGoBackwardsCopyTimeAligned(string kind, bool returnSequences)
    {
        var bi = Built(Inner(kind, returnSequences, returnState: true));
        var x = GradientCheck.Random(3, [Batch, Steps, Features]);

        var result = bi.CallUnmerged(x);

        var forward = Inner(kind, returnSequences, returnState: true);
        var backward = Inner(kind, returnSequences, returnState: true, goBackwards: true);
        forward.Build(new TensorShape([null, Steps, Features]), new SeededRandom(1));
        backward.Build(new TensorShape([null, Steps, Features]), new SeededRandom(2));
        forward.SetWeights(bi.ForwardLayer.GetWeights());
        backward.SetWeights(bi.BackwardLayer.GetWeights());
        var alone = forward.Call(x);
        var backwardAlone = backward.Call(x);

        Bits(result.Forward).Should().Equal(Bits(alone.Output));
        var expectedBackward = returnSequences ? Reversed(backwardAlone.Output) : backwardAlone.Output;
        result.Backward.Shape.Should().Equal(expectedBackward.Shape);
        Bits(result.Backward)
            .Should()
            .Equal(Bits(expectedBackward), "the backward sequence is put back in input order");
        result
            .States.Select(Bits)
            .Should()
            .BeEquivalentTo(alone.States.Concat(backwardAlone.States).Select(Bits), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Concat_OfTheUnmergedOutputs_IsTheConcatModeOutput()
    {
        var unmerged = Built(new LSTM(Units, returnSequences: true));
        var concat = Built(new LSTM(Units, returnSequences: true), "concat");
        concat.SetWeights(unmerged.GetWeights());
        var x = GradientCheck.Random(4, [Batch, Steps, Features]);

        var both = unmerged.CallUnmerged(x);
        var merged = concat.Call(x).Output;

        for (int row = 0; row < Batch * Steps; row++)
        {
            merged
                .Data.AsSpan(2 * row * Units, Units)
                .ToArray()
                .Should()
                .Equal(both.Forward.Data.AsSpan(row * Units, Units).ToArray());
            merged
                .Data.AsSpan((2 * row + 1) * Units, Units)
                .ToArray()
                .Should()
                .Equal(both.Backward.Data.AsSpan(row * Units, Units).ToArray());
        }
    }

    [Theory]
    [InlineData("LSTM", true)]
    [InlineData("GRU", false)]
    [InlineData("SimpleRNN", true)]
    public void Gradients_OfBothOutputsAndTheStates_MatchCentralDifferences(string kind, bool returnSequences)
    {
        var bi = Built(Inner(kind, returnSequences, returnState: true));
        var x = GradientCheck.Random(5, [Batch, Steps, Features]);
        var probe = bi.CallUnmerged(x);
        var rForward = GradientCheck.Random(6, probe.Forward.Shape);
        var rBackward = GradientCheck.Random(7, probe.Backward.Shape);
        var rStates = probe.States.Select((s, i) => GradientCheck.Random(8 + (ulong)i, s.Shape)).ToArray();
        double Loss()
        {
            var y = bi.CallUnmerged(x);
            double loss = GradientCheck.Loss(y.Forward, rForward) + GradientCheck.Loss(y.Backward, rBackward);
            for (int i = 0; i < rStates.Length; i++)
                loss += GradientCheck.Loss(y.States[i], rStates[i]);
            return loss;
        }

        bi.ZeroGradients();
        bi.CallUnmerged(x);
        var (dx, _) = bi.BackwardThroughTime(rForward, rBackward, rStates);

        GradientCheck.AssertClose(dx, GradientCheck.Numeric(Loss, x), "x");
        foreach (var p in bi.Parameters)
            GradientCheck.AssertClose(p.Gradient, GradientCheck.Numeric(Loss, p.Value), p.Name);
        bi.Parameters.Should().HaveCount(2 * bi.ForwardLayer.Parameters.Count);
    }

    [Fact]
    public void Config_RoundTrips_MergeModeNull_AndAMissingKeyIsConcat()
    {
        var bi = new Bidirectional(
            new GRU(Units, resetAfter: true, name: "inner"),
            null,
            name: "both",
            inputShape: [Steps, Features]
        );
        bi.GetConfig()["merge_mode"].Should().BeNull();
        string json = JsonSerializer.Serialize(LayerFactory.ToEntry(bi));
        json.Should().Contain("\"merge_mode\":null");

        var entry = JsonSerializer.Deserialize<Dictionary<string, object?>>(json)!;
        var rebuilt = (Bidirectional)LayerFactory.FromEntry(entry);
        rebuilt.MergeMode.Should().BeNull();
        rebuilt.Name.Should().Be("both");
        JsonSerializer.Serialize(LayerFactory.ToEntry(rebuilt)).Should().Be(json);

        var config = new Dictionary<string, object?>((IReadOnlyDictionary<string, object?>)bi.GetConfig());
        config.Remove("merge_mode");
        ((Bidirectional)LayerFactory.FromConfig("Bidirectional", config))
            .MergeMode.Should()
            .Be("concat", "Keras' default");
    }

    [Fact]
    public void Summary_PrintsKerasListOfShapes()
    {
        Built(new LSTM(Units, returnSequences: true)).SummaryOutputShape.Should().Be("[(None, 4, 5), (None, 4, 5)]");
        Built(new LSTM(Units, returnState: true))
            .SummaryOutputShape.Should()
            .Be(
                "[(None, 5), (None, 5), (None, 5), (None, 5), (None, 5), (None, 5)]",
                "outputs, then h and c of each direction"
            );
        Built(new GRU(Units), "concat").SummaryOutputShape.Should().Be("(None, 10)");
        Built(new GRU(Units)).ParameterCount.Should().Be(2 * 3 * Units * (Features + Units + 1));
    }

    [Fact]
    public void SingleOutputUses_AreRefused_NamingTheLayer()
    {
        var bi = Built(new SimpleRNN(Units));
        var x = GradientCheck.Random(9, [Batch, Steps, Features]);

        Errors
            .Message(() => bi.Forward(x))
            .Should()
            .Contain("'both' (Bidirectional) has merge mode null and returns two outputs");
        Errors.Message(() => bi.Call(x)).Should().Contain("use CallUnmerged");
        bi.CallUnmerged(x);
        Errors.Message(() => bi.Backward(new Tensor(Batch, Units))).Should().Contain("one gradient per direction");
        Errors
            .Message(() => bi.BackwardThroughTime(new Tensor(Batch, Units), new Tensor(Batch, Units + 1)))
            .Should()
            .Contain("backward output gradient of shape (2, 5) but got (2, 6)");

        var concat = Built(new SimpleRNN(Units), "sum");
        Errors.Message(() => concat.CallUnmerged(x)).Should().Contain("CallUnmerged needs merge mode null");

        var message = Errors.Message(() =>
            new Sequential(new Bidirectional(new LSTM(Units), null, name: "pair", inputShape: [Steps, Features]))
        );
        message.Should().Contain("'pair' (Bidirectional) has merge mode null").And.Contain("single output");
        var model = new Sequential(new Embedding(10, Features, inputLength: Steps));
        Errors
            .Message(() => model.Add(new Bidirectional(new GRU(Units), null, name: "later")))
            .Should()
            .Contain("'later'");
        model.Layers.Should().HaveCount(1, "the refused layer is not added");
    }
}
