using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Tests.Layers;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// The gradient Fit uses, end to end: the compiled loss's ∂L/∂output back through a whole stack
/// (Dense softmax → GRU → LSTM sequence → Embedding), checked against central differences of that
/// same loss for every weight of every layer.
/// </summary>
public class SequentialGradientTests
{
    [Fact]
    public void Whole_model_gradients_match_central_differences_of_the_compiled_loss()
    {
        const int vocabulary = 9,
            steps = 5,
            classes = 4;
        var model = new Sequential(
            [
                new Embedding(vocabulary, 4, inputLength: steps),
                new LSTM(3, returnSequences: true),
                new GRU(3, recurrentActivation: "sigmoid"),
                new Dense(classes, "softmax"),
            ],
            seed: 21
        );
        model.Compile("sgd", "categorical_crossentropy");
        // Larger weights than the initialisers give (the embeddings start within ±0.05), so that even
        // the gradients that reach the embeddings back through both recurrent layers are ten times
        // the check's absolute tolerance.
        var rng = new SeededRandom(23);
        model.SetWeights(
            model
                .GetWeights()
                .Select(w =>
                {
                    for (int i = 0; i < w.Size; i++)
                        w.Data[i] = rng.Uniform(-1.5f, 1.5f);
                    return w;
                })
                .ToArray()
        );
        var x = Tensor.FromArray(
            new[,]
            {
                { 0, 3, 8, 3, 1 },
                { 5, 5, 2, 7, 4 },
                { 8, 6, 0, 1, 2 },
            }
        );
        var y = Tensor.FromArray(
            new float[,]
            {
                { 0, 0, 1, 0 },
                { 1, 0, 0, 0 },
                { 0, 0, 0, 1 },
            }
        );
        var loss = model.Loss!;

        model.ZeroGradients();
        var prediction = model.Forward(x, training: true);
        model.Backward(loss.Gradient(y, prediction));

        double Objective() => loss.Compute(y, model.Forward(x));
        foreach (var layer in model.Layers)
        foreach (var p in layer.Parameters)
        {
            string what = $"{layer.Name}/{p.Name}";
            p.Gradient.Data.Max(Math.Abs)
                .Should()
                .BeGreaterThan(10 * (float)GradientCheck.AbsoluteTolerance, $"∂L/∂{what} is not negligible");
            GradientCheck.AssertClose(p.Gradient, GradientCheck.Numeric(Objective, p.Value), what);
        }
        model.Parameters.Should().HaveCount(1 + 3 + 3 + 2);
    }
}
