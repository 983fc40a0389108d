using RnnNotebooks.Tensors;
using RnnNotebooks.Text;

namespace RnnNotebooks.Tests.Text;

public class CategoricalTests
{
    [Fact]
    public void One_hot_rows_with_classes_from_the_largest_label()
    {
        var t = Categorical.ToCategorical([2, 0, 1, 2]);
        t.Shape.Should().Equal(4, 3);
        t.Data.Should().Equal(0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1);
    }

    [Fact]
    public void Num_classes_widens_the_rows()
    {
        Categorical.ToCategorical([1], numClasses: 4).Data.Should().Equal(0, 1, 0, 0);
    }

    [Fact]
    public void A_trailing_axis_of_one_is_dropped_and_floats_are_truncated()
    {
        var y = new Tensor([1f, 0f, 2.9f], 3, 1);
        var t = Categorical.ToCategorical(y);
        t.Shape.Should().Equal(3, 3);
        t.Data.Should().Equal(0, 1, 0, 1, 0, 0, 0, 0, 1);
        Categorical.ToCategorical(new Tensor([0f, 1f, 1f, 0f], 2, 2)).Shape.Should().Equal(2, 2, 2);
    }

    [Fact]
    public void Labels_outside_the_classes_are_errors()
    {
        var tooBig = () => Categorical.ToCategorical([0, 3], numClasses: 3);
        tooBig.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*position 1 is 3*0…2*");
        var negative = () => Categorical.ToCategorical([-1, 1]);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Encode_labels_sorts_the_classes_like_sklearn()
    {
        var (codes, classes) = Categorical.EncodeLabels(["positive", "negative", "neutral", "negative"]);
        classes.Should().Equal("negative", "neutral", "positive");
        codes.Should().Equal(2, 0, 1, 0);
    }
}
