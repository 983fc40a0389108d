using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

public class AccuracyTests
{
    private static Tensor T(float[] values, params int[] shape) => new((float[])values.Clone(), shape);

    [Fact]
    public void Binary_accuracy_counts_one_half_as_class_zero()
    {
        var p = T([0.5f, 0.5000001f, 0.4999f, 0.9f], 4, 1);
        Accuracy.Compute(AccuracyKind.Binary, T([0, 1, 0, 1], 4, 1), p).Should().Be(1.0);
        Accuracy.Compute(AccuracyKind.Binary, T([1, 1, 0, 1], 4, 1), p).Should().Be(0.75);
    }

    [Fact]
    public void Binary_accuracy_averages_over_the_last_axis()
    {
        var p = T([0.9f, 0.2f, 0.7f, 0.7f], 2, 2);
        Accuracy.Compute(AccuracyKind.Binary, T([1, 1, 1, 0], 2, 2), p).Should().Be(0.5);
    }

    [Fact]
    public void Categorical_accuracy_takes_the_first_maximum_on_ties()
    {
        var p = T([0.4f, 0.4f, 0.2f], 1, 3);
        Accuracy.Compute(AccuracyKind.Categorical, T([1, 0, 0], 1, 3), p).Should().Be(1.0);
        Accuracy.Compute(AccuracyKind.Categorical, T([0, 1, 0], 1, 3), p).Should().Be(0.0);
    }

    [Fact]
    public void Sparse_accuracy_compares_the_id_with_the_argmax()
    {
        var p = T([0.1f, 0.7f, 0.2f, 0.5f, 0.2f, 0.3f], 2, 3);
        Accuracy.Compute(AccuracyKind.SparseCategorical, T([1, 2], 2), p).Should().Be(0.5);
    }

    [Theory]
    [InlineData("categorical_crossentropy", 1, AccuracyKind.Binary)]
    [InlineData("binary_crossentropy", 5, AccuracyKind.Binary)]
    [InlineData("sparse_categorical_crossentropy", 5, AccuracyKind.SparseCategorical)]
    [InlineData("categorical_crossentropy", 5, AccuracyKind.Categorical)]
    [InlineData("mean_squared_error", 5, AccuracyKind.Categorical)]
    public void Acc_resolves_by_the_keras2_rule(string loss, int lastDim, AccuracyKind expected) =>
        Accuracy.Resolve(loss, lastDim).Should().Be(expected);
}
