using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Layers;

public class EmbeddingTests
{
    /// <summary>Embedding(5, 3) whose row v is [10v, 10v + 1, 10v + 2].</summary>
    private static Embedding Numbered(string name = "emb")
    {
        var embedding = new Embedding(5, 3, name: name);
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(0));
        var table = new Tensor(5, 3);
        for (int v = 0; v < 5; v++)
        for (int j = 0; j < 3; j++)
            table[v, j] = 10 * v + j;
        embedding.SetWeights(table);
        return embedding;
    }

    [Fact]
    public void Forward_looks_up_one_row_per_token()
    {
        var y = Numbered()
            .Forward(
                Tensor.FromArray(
                    new[,]
                    {
                        { 0, 4, 2 },
                        { 1, 1, 3 },
                    }
                )
            );
        y.ToArray3D()
            .Should()
            .BeEquivalentTo(
                new float[,,]
                {
                    {
                        { 0, 1, 2 },
                        { 40, 41, 42 },
                        { 20, 21, 22 },
                    },
                    {
                        { 10, 11, 12 },
                        { 10, 11, 12 },
                        { 30, 31, 32 },
                    },
                }
            );
    }

    [Fact]
    public void Fractional_ids_are_truncated_like_keras_cast_to_int32()
    {
        var y = Numbered()
            .Forward(
                Tensor.FromArray(
                    new float[,]
                    {
                        { 2.9f, 0.5f },
                    }
                )
            );
        y.Data.Should().Equal(20, 21, 22, 0, 1, 2);
    }

    [Fact]
    public void Backward_scatter_adds_rows_and_returns_a_zero_input_gradient()
    {
        var embedding = Numbered();
        var x = Tensor.FromArray(
            new[,]
            {
                { 1, 3, 1 },
            }
        );
        embedding.Forward(x);
        var dOut = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1, 2, 3 },
                    { 4, 5, 6 },
                    { 10, 20, 30 },
                },
            }
        );
        var dx = embedding.Backward(dOut);
        dx.Shape.Should().Equal(1, 3);
        dx.Data.Should().OnlyContain(v => v == 0f);
        embedding
            .Embeddings.Gradient.ToArray2D()
            .Should()
            .BeEquivalentTo(
                new float[,]
                {
                    { 0, 0, 0 },
                    { 11, 22, 33 },
                    { 0, 0, 0 },
                    { 4, 5, 6 },
                    { 0, 0, 0 },
                }
            );
    }

    [Fact]
    public void A_smaller_batch_after_a_larger_one_scatters_only_its_own_tokens()
    {
        // The ids array of the larger batch is kept and reused; the stale ids after the smaller
        // batch's must not reach the gradient.
        var embedding = Numbered();
        embedding.Forward(
            Tensor.FromArray(
                new[,]
                {
                    { 4, 4 },
                    { 2, 0 },
                }
            )
        );
        embedding.Forward(
            Tensor.FromArray(
                new[,]
                {
                    { 1, 3 },
                }
            )
        );
        var dOut = Tensor.FromArray(
            new float[,,]
            {
                {
                    { 1, 2, 3 },
                    { 4, 5, 6 },
                },
            }
        );
        embedding.Backward(dOut).Shape.Should().Equal(1, 2);
        embedding
            .Embeddings.Gradient.ToArray2D()
            .Should()
            .BeEquivalentTo(
                new float[,]
                {
                    { 0, 0, 0 },
                    { 1, 2, 3 },
                    { 0, 0, 0 },
                    { 4, 5, 6 },
                    { 0, 0, 0 },
                }
            );
    }

    [Fact]
    public void Weight_gradients_match_central_differences()
    {
        var embedding = new Embedding(7, 4, name: "emb");
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(3));
        var x = Tensor.FromArray(
            new[,]
            {
                { 0, 6, 2, 2 },
                { 5, 0, 1, 3 },
            }
        );
        var dx = GradientCheck.CheckLayer(embedding, x, checkInput: false);
        dx.Data.Should().OnlyContain(v => v == 0f);
    }

    [Fact]
    public void Uniform_initializer_draws_from_minus_to_plus_0_05()
    {
        var embedding = new Embedding(100, 8);
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(1));
        var values = embedding.Embeddings.Value.Data;
        values.Should().OnlyContain(v => v >= -0.05f && v < 0.05f);
        values.Min().Should().BeLessThan(-0.04f);
        values.Max().Should().BeGreaterThan(0.04f);
    }

    [Theory]
    [InlineData(10_000, 32, 320_000)]
    [InlineData(12_533, 32, 401_056)]
    [InlineData(3_800, 32, 121_600)]
    public void Parameter_count_is_vocabulary_times_dimension(int inputDim, int outputDim, long expected)
    {
        var model = new Sequential(new Embedding(inputDim, outputDim));
        model.IsBuilt.Should().BeTrue("an Embedding always declares its input shape");
        model.CountParams().Should().Be(expected);
        model[0].OutputShape!.ToString().Should().Be($"(None, None, {outputDim})");
    }

    [Fact]
    public void Input_length_fixes_the_time_axis_in_the_summary()
    {
        var model = new Sequential(new Embedding(10_000, 50, inputLength: 400, name: "words"));
        model
            .Summary()
            .Rows.Single()
            .Should()
            .Be(new ModelSummary.Row("words", "Embedding", "(None, 400, 50)", 500_000));
    }

    [Fact]
    public void Summary_of_embedding_prints_none_timesteps()
    {
        var model = new Sequential(new Embedding(10_000, 32, name: "embedding_x"));
        model
            .Summary()
            .ToString()
            .Should()
            .Contain("embedding_x (Embedding)      (None, None, 32)          320000    ");
    }

    [Theory]
    [InlineData(10f, "10")]
    [InlineData(-1f, "-1")]
    [InlineData(float.NaN, "NaN")]
    public void Out_of_range_token_names_the_layer_the_index_the_position_and_the_vocabulary(float id, string shown)
    {
        var embedding = new Embedding(10, 2, name: "words");
        var x = new Tensor(2, 4);
        x[1, 2] = id;
        string message = Errors.Message(() => embedding.Forward(x));
        message
            .Should()
            .Contain("'words' (Embedding)")
            .And.Contain($"token index {shown}")
            .And.Contain("sample 1, timestep 2")
            .And.Contain("[0, 10)");
    }

    [Fact]
    public void Wrong_rank_names_the_layer_the_expected_and_the_actual_shape()
    {
        var embedding = new Embedding(10, 2, name: "words");
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(0));
        Errors
            .Message(() => embedding.Forward(new Tensor(2, 3, 1)))
            .Should()
            .Contain("'words' (Embedding)")
            .And.Contain("(None, None)")
            .And.Contain("(2, 3, 1)");
        Errors
            .Message(() => new Embedding(10, 2, name: "flat").Build(TensorShape.Batched(3, 1), new SeededRandom(0)))
            .Should()
            .Contain("'flat' (Embedding)")
            .And.Contain("rank 2")
            .And.Contain("(None, 3, 1)");
    }

    [Fact]
    public void A_fixed_input_length_refuses_other_lengths()
    {
        var model = new Sequential(new Embedding(10, 2, inputLength: 5, name: "words"));
        Errors
            .Message(() => model.Forward(new Tensor(2, 6)))
            .Should()
            .Contain("'words' (Embedding)")
            .And.Contain("(None, 5)")
            .And.Contain("(2, 6)");
    }

    [Theory]
    [InlineData(0, 3, "input_dim", "got 0")]
    [InlineData(10, -1, "output_dim", "got -1")]
    public void Non_positive_sizes_are_refused(int inputDim, int outputDim, string what, string got)
    {
        Errors
            .Message(() => new Embedding(inputDim, outputDim, name: "e"))
            .Should()
            .Contain("'e' (Embedding)")
            .And.Contain(what)
            .And.Contain(got);
    }

    [Fact]
    public void SetWeights_with_a_wrong_shape_says_what_was_expected()
    {
        var embedding = new Embedding(10, 2, name: "words");
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(0));
        Errors
            .Message(() => embedding.SetWeights(new Tensor(2, 10)))
            .Should()
            .Contain("'words' (Embedding)")
            .And.Contain("embeddings")
            .And.Contain("(10, 2)")
            .And.Contain("(2, 10)");
    }

    [Fact]
    public void Mask_zero_marks_padding_positions()
    {
        var embedding = new Embedding(10, 2, maskZero: true);
        var mask = embedding.ComputeMask(
            Tensor.FromArray(
                new[,]
                {
                    { 0, 0, 3, 9 },
                }
            )
        )!;
        mask.Data.Should().Equal(0, 0, 1, 1);
        new Embedding(10, 2).ComputeMask(new Tensor(1, 4)).Should().BeNull();
    }

    /// <summary>
    /// The scatter-add runs on vectors: every row's gradient must still be the in-order sum over the
    /// positions that hold its id, bit for bit (d = 37 leaves a tail after the vectors). Few distinct
    /// ids, so rows are hit hundreds of times each.
    /// </summary>
    [Fact]
    public void Backward_gives_the_in_order_sums_bit_for_bit()
    {
        const int vocabulary = 70,
            d = 37,
            batch = 40,
            steps = 130;
        var rng = new Random(8);
        var ids = new Tensor(batch, steps);
        for (int p = 0; p < ids.Size; p++)
            ids.Data[p] = rng.Next(vocabulary);
        var dy = new Tensor(batch, steps, d);
        for (int p = 0; p < dy.Size; p++)
            dy.Data[p] = (float)(rng.NextDouble() * 2 - 1);
        var expected = new float[vocabulary * d];
        for (int p = 0; p < ids.Size; p++)
        for (int j = 0; j < d; j++)
            expected[(int)ids.Data[p] * d + j] += dy.Data[p * d + j];

        var embedding = new Embedding(vocabulary, d);
        embedding.Build(TensorShape.Batched((int?)null), new SeededRandom(3));
        var table = embedding.GetWeights()[0].Data;
        var y = embedding.Forward(ids, training: true);
        for (int p = 0; p < ids.Size; p++)
            y.Data.AsSpan(p * d, d).ToArray().Should().Equal(table.AsSpan((int)ids.Data[p] * d, d).ToArray());
        embedding.Backward(dy);
        embedding.Parameters[0].Gradient.Data.Should().Equal(expected);
    }
}
