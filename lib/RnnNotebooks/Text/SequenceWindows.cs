using RnnNotebooks.Tensors;

namespace RnnNotebooks.Text;

/// <summary>Cuts long token sequences (a whole text as character ids, say) into fixed-length pieces.</summary>
public static class SequenceWindows
{
    /// <summary>
    /// The windows sequence[s .. s + length) for s = 0, step, 2·step, … while the window fits; a shorter tail is
    /// dropped. <paramref name="step"/> defaults to <paramref name="length"/> (pieces that do not overlap).
    /// </summary>
    public static int[][] Cut(IReadOnlyList<int> sequence, int length, int? step = null)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        if (length < 1)
            throw new ArgumentOutOfRangeException(nameof(length), length, "The window length must be ≥ 1.");
        int s = step ?? length;
        if (s < 1)
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be ≥ 1.");
        var windows = new List<int[]>();
        for (int start = 0; start + length <= sequence.Count; start += s)
        {
            var window = new int[length];
            for (int j = 0; j < length; j++)
                window[j] = sequence[start + j];
            windows.Add(window);
        }
        return windows.ToArray();
    }

    /// <summary>Windows of equal length as an (n, length) tensor of ids (floats, as Embedding expects).</summary>
    public static Tensor ToTensor(IReadOnlyList<int[]> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
            throw new ArgumentException("Need at least one window.", nameof(windows));
        int length = windows[0].Length;
        var x = new Tensor(windows.Count, length);
        for (int i = 0; i < windows.Count; i++)
        {
            if (windows[i].Length != length)
                throw new ArgumentException(
                    $"Window {i} has {windows[i].Length} ids, window 0 has {length}; all must be equally long.",
                    nameof(windows)
                );
            for (int j = 0; j < length; j++)
                x.Data[i * length + j] = windows[i][j];
        }
        return x;
    }
}
