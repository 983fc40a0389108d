using RnnNotebooks.Notebooks;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Notebooks;

[Collection("CheckLog")]
public class CheckTests
{
    private static string Run(Action check)
    {
        var log = new StringWriter();
        Check.Log = log;
        try
        {
            check();
        }
        finally
        {
            Check.Log = null;
        }
        return log.ToString();
    }

    [Fact]
    public void Passing_checks_print_one_line_with_the_value()
    {
        Run(() => Check.Equal(2920L, 2920L, "SimpleRNN parameters")).Should().Be("✔ SimpleRNN parameters = 2920\n");
        Run(() =>
                Check.Equal(
                    new[,]
                    {
                        { 3, 1 },
                        { 1, 2 },
                    },
                    new[,]
                    {
                        { 3, 1 },
                        { 1, 2 },
                    },
                    "encoded docs"
                )
            )
            .Should()
            .Contain("[[3, 1], [1, 2]]");
    }

    [Fact]
    public void Failing_checks_throw_with_expected_and_actual()
    {
        var act = () => Check.Equal(12, 10, "LSTM parameters");
        act.Should().Throw<CheckFailedException>().WithMessage("*LSTM parameters*expected 10*got 12*");
        var close = () => Check.Close(0.5, 0.4, 0.01, "accuracy");
        close.Should().Throw<CheckFailedException>().WithMessage("*accuracy*0.4*0.5*");
        var between = () => Check.Between(0.7, 0.85, 0.95, "val acc");
        between.Should().Throw<CheckFailedException>();
        var that = () => Check.That(false, "argmax equals labels");
        that.Should().Throw<CheckFailedException>().WithMessage("*argmax equals labels*");
    }

    [Fact]
    public void AllClose_reports_the_worst_element_and_rejects_nan_and_shape_mismatch()
    {
        var a = Tensor.FromArray(new float[] { 1f, 2f, 3f });
        var b = Tensor.FromArray(new float[] { 1f, 2.5f, 3f });
        var act = () => Check.AllClose(a, b, 1e-6, "manual = predict");
        act.Should().Throw<CheckFailedException>().WithMessage("*index 1*");
        var nan = () => Check.AllClose(new[] { float.NaN }, new[] { 0f }, 1e-6, "nan");
        nan.Should().Throw<CheckFailedException>();
        var shape = () => Check.AllClose(new Tensor(2, 3), new Tensor(3, 2), 1, "shapes");
        shape.Should().Throw<CheckFailedException>().WithMessage("*(2, 3)*(3, 2)*");
        Run(() => Check.AllClose(a, a.Clone(), 1e-6, "same")).Should().Contain("3 values agree");
    }
}

[CollectionDefinition("CheckLog", DisableParallelization = true)]
public class CheckLogCollection { }
