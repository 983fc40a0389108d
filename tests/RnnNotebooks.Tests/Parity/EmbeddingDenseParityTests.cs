using RnnNotebooks.Layers;
using RnnNotebooks.Models;

namespace RnnNotebooks.Tests.Parity;

/// <summary>
/// Embedding and Dense against PyTorch's nn.Embedding + nn.Linear (weights converted to Keras
/// layout by make_fixtures.py): forward values and the gradients of L = Σ output ⊙ dOut.
/// </summary>
public class EmbeddingDenseParityTests
{
    private static int Meta(TorchFixture f, int layer, string key) =>
        f.Meta.GetProperty("layers")[layer].GetProperty(key).GetInt32();

    [Fact]
    public void Embedding_then_dense_softmax_at_every_timestep_matches_pytorch()
    {
        var f = TorchFixture.Load("embedding_dense_softmax");
        var embedding = new Embedding(Meta(f, 0, "input_dim"), Meta(f, 0, "output_dim"));
        var dense = new Dense(Meta(f, 1, "units"), "softmax");
        var model = new Sequential(embedding, dense);
        model.SetWeights(f["embeddings"], f["kernel"], f["bias"]);

        var x = f["x"];
        var vectors = embedding.Forward(x);
        f.ShouldMatch(vectors, "embedded", tolerance: 0f);
        f.ShouldMatch(dense.Forward(vectors), "output");

        model.ZeroGradients();
        var dVectors = dense.Backward(f["dOut"]);
        embedding.Backward(dVectors).Data.Should().OnlyContain(v => v == 0f);
        f.ShouldMatch(dense.Kernel.Gradient, "grad_kernel");
        f.ShouldMatch(dense.Bias!.Gradient, "grad_bias");
        f.ShouldMatch(embedding.Embeddings.Gradient, "grad_embeddings");
    }

    [Fact]
    public void Embedding_flatten_dense_sigmoid_matches_pytorch()
    {
        var f = TorchFixture.Load("embedding_flatten_dense_sigmoid");
        var x = f["x"];
        var model = new Sequential(
            new Embedding(Meta(f, 0, "input_dim"), Meta(f, 0, "output_dim"), inputLength: x.Shape[1]),
            new Flatten(),
            new Dense(Meta(f, 2, "units"), "sigmoid")
        );
        model.SetWeights(f["embeddings"], f["kernel"], f["bias"]);

        f.ShouldMatch(model.Forward(x, training: true), "output");
        model.ZeroGradients();
        model.Backward(f["dOut"]);
        f.ShouldMatch(model[0].Parameters[0].Gradient, "grad_embeddings");
        f.ShouldMatch(model[2].Parameters[0].Gradient, "grad_kernel");
        f.ShouldMatch(model[2].Parameters[1].Gradient, "grad_bias");
    }

    [Fact]
    public void Every_fixture_loads_with_its_inputs_outputs_and_gradients()
    {
        var files = Directory.GetFiles(TorchFixture.Directory, "*.json");
        files.Should().HaveCountGreaterThanOrEqualTo(13);
        foreach (string file in files)
        {
            var f = TorchFixture.Load(Path.GetFileNameWithoutExtension(file));
            f.Case.Should().Be(Path.GetFileNameWithoutExtension(file));
            f.TorchVersion.Should().NotBeNullOrEmpty();
            f["dOut"].Shape.Should().Equal(f["output"].Shape, f.Case);
            f["x"].Shape[0].Should().Be(3, f.Case);
            foreach (var layer in f.Meta.GetProperty("layers").EnumerateArray())
                if (layer.TryGetProperty("weights", out var weights))
                    foreach (var name in weights.EnumerateArray().Select(w => w.GetString()!))
                        f[$"grad_{name}"].Shape.Should().Equal(f[name].Shape, $"{f.Case}: grad_{name}");
        }
    }
}
