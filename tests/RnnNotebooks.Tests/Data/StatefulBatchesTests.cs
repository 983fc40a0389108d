using RnnNotebooks.Data;
using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;

namespace RnnNotebooks.Tests.Data;

public class StatefulBatchesTests
{
    [Fact]
    public void Order_puts_window_k_of_every_lane_into_batch_k()
    {
        // 6 windows, batches of 2: lanes [0 1 2] and [3 4 5]; batch 0 = (0, 3), batch 1 = (1, 4), batch 2 = (2, 5).
        StatefulBatches.Order(6, 2).Should().Equal(0, 3, 1, 4, 2, 5);
        StatefulBatches.Order(6, 3).Should().Equal(0, 2, 4, 1, 3, 5);
        StatefulBatches.Order(5, 1).Should().Equal(0, 1, 2, 3, 4);
        StatefulBatches.Order(4, 4).Should().Equal(0, 1, 2, 3);
    }

    [Theory]
    [InlineData(7, 2)]
    [InlineData(2, 3)]
    public void Order_needs_whole_batches(int windows, int batchSize)
    {
        var order = () => StatefulBatches.Order(windows, batchSize);
        order
            .Should()
            .Throw<ArgumentException>()
            .WithMessage($"*{windows} windows do not fill batches of {batchSize}*");
    }

    [Fact]
    public void Order_rejects_a_batch_size_below_one()
    {
        var order = () => StatefulBatches.Order(4, 0);
        order.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Arrange_and_Unarrange_move_whole_rows_and_invert_each_other()
    {
        var x = new Tensor(Enumerable.Range(0, 12).Select(v => (float)v).ToArray(), 6, 2);

        var arranged = StatefulBatches.Arrange(x, 2);

        arranged.Shape.Should().Equal(6, 2);
        arranged.Data.Should().Equal(0f, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11);
        StatefulBatches.Unarrange(arranged, 2).Data.Should().Equal(x.Data);
    }

    [Fact]
    public void TakeRows_rejects_rows_outside_the_tensor()
    {
        var x = new Tensor(3, 2);
        var take = () => StatefulBatches.TakeRows(x, [0, 3]);
        take.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_stateful_layer_fed_arranged_batches_reads_each_lane_as_one_long_sequence()
    {
        const int windows = 8,
            batch = 2,
            steps = 3,
            units = 3;
        const int lane = windows / batch;
        var stream = RegimeSignal.Generate(windows, steps, signal: 0.5, switchProbability: 0.2, seed: 7);

        var stateful = new Sequential([new SimpleRNN(units, stateful: true, inputShape: [steps, 1], batchSize: batch)]);
        var perWindow = StatefulBatches.Unarrange(
            stateful.Predict(StatefulBatches.Arrange(stream.X, batch), batchSize: batch),
            batch
        );

        // The same weights, stateless, over each lane's windows joined end to end.
        var whole = new Sequential([new SimpleRNN(units, returnSequences: true, inputShape: [lane * steps, 1])]);
        whole.Build(new TensorShape([null, lane * steps, 1]));
        whole.SetWeights(stateful.GetWeights());
        var outputs = whole.Predict(stream.X.Reshape(batch, lane * steps, 1));

        for (int w = 0; w < windows; w++)
        {
            int laneIndex = w / lane,
                last = (w % lane + 1) * steps - 1;
            for (int u = 0; u < units; u++)
                perWindow[w, u].Should().BeApproximately(outputs[laneIndex, last, u], 1e-5f);
        }
    }
}
