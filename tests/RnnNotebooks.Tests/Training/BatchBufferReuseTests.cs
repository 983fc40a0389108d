using RnnNotebooks.Layers;
using RnnNotebooks.Models;
using RnnNotebooks.Tensors;
using RnnNotebooks.Training;

namespace RnnNotebooks.Tests.Training;

/// <summary>
/// Issue 15: inside Sequential's Fit / Evaluate / Predict loops the layers write their per-batch
/// outputs and input gradients into buffers they own and reuse, so a steady-state epoch allocates
/// almost nothing; everywhere else Forward / Backward / Call / BackwardThroughTime return fresh
/// tensors the caller owns, and the numbers are those of a plain loop over the public API.
/// </summary>
[Collection(AllocationCollection.Name)]
public class BatchBufferReuseTests
{
    private const int Samples = 500, // batches of 64 … 64 and a short one of 52
        Timesteps = 100,
        Vocabulary = 50,
        EmbeddingSize = 16,
        BatchSize = 64;

    [Fact]
    public void A_steady_state_fit_epoch_allocates_less_than_one_batch_activation_tensor()
    {
        var (x, y) = Data(Samples, seed: 4);
        var model = new Sequential(
            [new Embedding(Vocabulary, EmbeddingSize), new SimpleRNN(16), new Dense(1, "sigmoid")],
            seed: 11
        );
        model.Compile(new RMSprop(), "binary_crossentropy", ["acc"]);
        var allocatedAtEpochEnd = new List<long>();

        // Epoch 1 warms up (weights, optimizer slots, shard scratch, the reused buffers); epoch 2 is measured.
        model.Fit(
            x,
            y,
            batchSize: BatchSize,
            epochs: 2,
            verbose: 0,
            seed: 7,
            onEpochEnd: _ => allocatedAtEpochEnd.Add(GC.GetTotalAllocatedBytes(precise: true))
        );

        // One (64, 100, 16) float tensor: the Embedding's output, and the recurrent layer's input
        // gradient, of one batch. Without reuse the epoch allocates two per batch (16 in all, 6.5 MB).
        long batchTensorBytes = (long)BatchSize * Timesteps * EmbeddingSize * sizeof(float);
        long epochBytes = allocatedAtEpochEnd[1] - allocatedAtEpochEnd[0];
        epochBytes.Should().BeLessThan(batchTensorBytes, $"the epoch allocated {epochBytes} bytes");
    }

    [Fact]
    public void Fit_with_dropout_masking_stacking_and_validation_gives_the_numbers_of_a_plain_public_api_loop()
    {
        var (x, y) = Data(Samples, seed: 5);
        var (vx, vy) = Data(130, seed: 6);
        for (int i = 0; i < x.Size; i += 7)
            x.Data[i] = 0; // padding for maskZero
        var fitted = RichModel();
        var history = fitted.Fit(
            x,
            y,
            batchSize: BatchSize,
            epochs: 2,
            verbose: 0,
            validationData: (vx, vy),
            shuffle: false
        );
        var fittedPrediction = fitted.Predict(vx, batchSize: BatchSize);

        var manual = RichModel();
        var gradient = new Tensor(BatchSize, 1);
        var epochLosses = new List<double>();
        var validationLosses = new List<double>();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            double sum = 0;
            for (int start = 0; start < Samples; start += BatchSize)
            {
                int count = Math.Min(BatchSize, Samples - start);
                var xb = Rows(x, start, count);
                var yb = Rows(y, start, count);
                manual.ZeroGradients();
                var prediction = manual.Forward(xb, training: true);
                var g = count == BatchSize ? gradient : new Tensor(count, 1);
                sum += manual.Loss!.Compute(yb, prediction, g) * count;
                manual.Backward(g);
                manual.Optimizer!.Step(manual.Parameters.ToList());
            }
            epochLosses.Add(sum / Samples);
            double validation = 0;
            for (int start = 0; start < vx.Shape[0]; start += BatchSize)
            {
                int count = Math.Min(BatchSize, vx.Shape[0] - start);
                validation +=
                    manual.Loss!.Compute(Rows(vy, start, count), manual.Forward(Rows(vx, start, count))) * count;
            }
            validationLosses.Add(validation / vx.Shape[0]);
        }

        history["loss"].Should().Equal(epochLosses);
        history["val_loss"].Should().Equal(validationLosses);
        WeightBytes(fitted).Should().Equal(WeightBytes(manual));
        var manualPrediction = new List<float>();
        for (int start = 0; start < vx.Shape[0]; start += BatchSize)
            manualPrediction.AddRange(manual.Forward(Rows(vx, start, Math.Min(BatchSize, vx.Shape[0] - start))).Data);
        fittedPrediction.Data.Should().Equal(manualPrediction);
    }

    [Fact]
    public void Public_forward_and_backward_results_are_not_overwritten_by_later_calls_even_after_fit()
    {
        var (x, y) = Data(Samples, seed: 8);
        var embedding = new Embedding(Vocabulary, EmbeddingSize, maskZero: true);
        var dropout = new Dropout(0.3f);
        var lstm = new LSTM(8, returnSequences: true);
        var dense = new Dense(1, "sigmoid");
        var model = new Sequential([embedding, dropout, lstm, new GRU(4), dense], seed: 3);
        model.Compile(new RMSprop(), "binary_crossentropy");
        model.Fit(x, y, batchSize: BatchSize, epochs: 1, verbose: 0); // the loops turn buffer reuse on and off

        var first = Rows(x, 0, BatchSize);
        var second = Rows(x, BatchSize, BatchSize);
        var outputs = new List<(Tensor Tensor, float[] Copy)>();
        void Keep(Tensor t) => outputs.Add((t, (float[])t.Data.Clone()));
        for (int pass = 0; pass < 2; pass++)
        {
            var ids = pass == 0 ? first : second;
            var embedded = embedding.Forward(ids);
            Keep(embedded);
            Keep(embedding.ComputeMask(ids)!);
            var dropped = dropout.Forward(embedded, training: true);
            Keep(dropped);
            var sequence = lstm.Call(dropped, training: true, mask: embedding.ComputeMask(ids)).Output;
            Keep(sequence);
            var lstmGradient = lstm.BackwardThroughTime(Ones(sequence.Shape)).InputGradient;
            Keep(lstmGradient);
            Keep(dropout.Backward(lstmGradient));
            Keep(embedding.Backward(Ones(embedded.Shape)));
            var output = dense.Forward(Ones([BatchSize, 4]));
            Keep(output);
            Keep(dense.Backward(Ones(output.Shape)));
            Keep(model.Forward(ids));
            Keep(model.Predict(ids, batchSize: 16));
        }

        foreach (var (tensor, copy) in outputs)
            tensor.Data.Should().Equal(copy, "a tensor returned by a public call belongs to the caller");
        for (int i = 0; i < outputs.Count / 2; i++)
            outputs[i].Tensor.Should().NotBeSameAs(outputs[i + outputs.Count / 2].Tensor);
    }

    private static Sequential RichModel()
    {
        var model = new Sequential(
            [
                new Embedding(Vocabulary, EmbeddingSize, maskZero: true),
                new Dropout(0.2f),
                new LSTM(8, returnSequences: true, dropout: 0.1f),
                new Dropout(0.2f),
                new GRU(6),
                new Dense(4, "tanh"),
                new Dense(1, "sigmoid"),
            ],
            seed: 21
        );
        model.Compile(new RMSprop(), "binary_crossentropy", ["acc"]);
        model.Build(new TensorShape(null, Timesteps));
        return model;
    }

    private static (Tensor X, Tensor Y) Data(int samples, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(samples, Timesteps);
        for (int i = 0; i < x.Size; i++)
            x.Data[i] = 1 + rng.NextInt(Vocabulary - 1);
        var y = new Tensor(samples, 1);
        for (int i = 0; i < samples; i++)
            y.Data[i] = rng.NextInt(2);
        return (x, y);
    }

    private static Tensor Rows(Tensor t, int start, int count)
    {
        int stride = t.Size / t.Shape[0];
        return new Tensor(t.Data.AsSpan(start * stride, count * stride).ToArray(), [count, .. t.Shape[1..]]);
    }

    private static Tensor Ones(int[] shape)
    {
        var t = new Tensor(shape);
        Array.Fill(t.Data, 1f);
        return t;
    }

    private static byte[] WeightBytes(Sequential model) =>
        model
            .GetWeights()
            .SelectMany(w => System.Runtime.InteropServices.MemoryMarshal.AsBytes(w.Data.AsSpan()).ToArray())
            .ToArray();
}

/// <summary>
/// Tests that count the bytes the whole process allocates (GC.GetTotalAllocatedBytes) run alone, after
/// the parallel tests, so no other test's allocations are counted.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class AllocationCollection
{
    public const string Name = "Allocation";
}
