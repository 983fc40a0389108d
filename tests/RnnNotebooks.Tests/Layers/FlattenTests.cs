using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class FlattenTests
{
    private static Tensor Counting(params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Size; i++)
            t.Data[i] = i;
        return t;
    }

    [Fact]
    public void Flattens_in_row_major_order()
    {
        var y = new Flatten().Forward(Counting(2, 3, 4));
        y.Shape.Should().Equal(2, 12);
        // y[b, i·4 + j] = x[b, i, j] = 12b + 4i + j
        y[1, 5].Should().Be(17f);
        y[0, 11].Should().Be(11f);
        y.Data.Should().Equal(Enumerable.Range(0, 24).Select(i => (float)i));
    }

    [Fact]
    public void Gradients_match_central_differences()
    {
        var flatten = new Flatten();
        flatten.Build(TensorShape.Batched(3, 2, 2), new SeededRandom(0));
        GradientCheck.CheckLayer(flatten, GradientCheck.Random(1, [2, 3, 2, 2]));
    }

    [Fact]
    public void Backward_restores_the_input_shape_in_the_same_order()
    {
        var flatten = new Flatten();
        flatten.Forward(new Tensor(2, 3, 4));
        var dx = flatten.Backward(Counting(2, 12));
        dx.Shape.Should().Equal(2, 3, 4);
        dx[1, 1, 1].Should().Be(17f);
    }

    [Fact]
    public void Embedding_flatten_dense_summary_matches_keras()
    {
        var model = new Sequential(
            new Embedding(10_000, 50, inputLength: 400, name: "e"),
            new Flatten(name: "f"),
            new Dense(1, "sigmoid", name: "d")
        );
        model
            .Summary()
            .Rows.Select(r => (r.OutputShape, r.Parameters))
            .Should()
            .Equal(("(None, 400, 50)", 500_000L), ("(None, 20000)", 0L), ("(None, 1)", 20_001L));
        model.Forward(new Tensor(2, 400)).Shape.Should().Equal(2, 1);
    }

    [Fact]
    public void Unknown_timesteps_cannot_be_flattened()
    {
        var model = new Sequential(new Embedding(10, 4, name: "e"));
        Errors
            .Message(() => model.Add(new Flatten(name: "flat")))
            .Should()
            .Contain("'flat' (Flatten)")
            .And.Contain("known")
            .And.Contain("(None, None, 4)");
    }

    [Fact]
    public void Needs_a_batch_axis_and_at_least_one_more()
    {
        Errors
            .Message(() => new Flatten(name: "flat").Build(new TensorShape((int?)null), new SeededRandom(0)))
            .Should()
            .Contain("'flat' (Flatten)")
            .And.Contain("rank 2")
            .And.Contain("(None,)");
    }

    [Fact]
    public void Wrong_input_and_gradient_shapes_are_refused()
    {
        var flatten = new Flatten(name: "flat");
        flatten.Build(TensorShape.Batched(3, 4), new SeededRandom(0));
        Errors
            .Message(() => flatten.Forward(new Tensor(2, 4, 3)))
            .Should()
            .Contain("'flat' (Flatten)")
            .And.Contain("(None, 3, 4)")
            .And.Contain("(2, 4, 3)");
        flatten.Forward(new Tensor(2, 3, 4));
        Errors
            .Message(() => flatten.Backward(new Tensor(2, 11)))
            .Should()
            .Contain("'flat' (Flatten)")
            .And.Contain("(2, 12)")
            .And.Contain("(2, 11)");
    }
}
