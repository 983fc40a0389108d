namespace RnnNotebooks.Training;

/// <summary>
/// Thrown by <c>Fit</c> when a batch's loss is NaN or infinite (Keras' TerminateOnNaN, as an error).
/// Epoch and batch are counted from 1, as the progress lines print them.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(int epoch, int batch, int batches, double loss)
        : base(
            $"Training diverged in epoch {epoch}, batch {batch}/{batches}: the loss is {Describe(loss)}. "
                + "Lower the learning rate or clip the gradients (clipNorm / clipValue)."
        )
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
    }

    /// <summary>1-based epoch in which the loss stopped being finite.</summary>
    public int Epoch { get; }

    /// <summary>1-based batch of that epoch.</summary>
    public int Batch { get; }

    public double Loss { get; }

    private static string Describe(double loss) =>
        double.IsNaN(loss) ? "NaN"
        : double.IsPositiveInfinity(loss) ? "+∞"
        : "−∞";
}
