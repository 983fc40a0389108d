namespace RnnNotebooks.Data;

/// <summary>
/// numpy's legacy <c>np.random.RandomState</c> (MT19937), for the few places where a Keras or sklearn walkthrough's
/// order must be reproduced exactly: the IMDB shuffle (<c>RandomState(113)</c>) and sklearn's
/// <c>train_test_split(random_state=42)</c> (docs/keras-semantics.md#numpy-randomstate). Everything else in the library uses
/// <see cref="Tensors.SeededRandom"/>.
/// <para>
/// Seeding with s: <c>key[0] = s</c>, <c>key[i] = 1812433253 · (key[i−1] ⊕ (key[i−1] ≫ 30)) + i</c> (mod 2³²);
/// draws are standard tempered MT19937 32-bit words. <see cref="RandomInterval"/> masks draws to the smallest
/// 2ᵏ−1 ≥ max and rejects values above max; <see cref="Shuffle{T}"/> swaps a[i] with a[RandomInterval(i)] for
/// i = n−1 … 1.
/// </para>
/// </summary>
public sealed class NumpyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _key = new uint[N];
    private int _position;

    /// <param name="seed">0 ≤ seed &lt; 2³², as numpy requires.</param>
    public NumpyRandomState(long seed)
    {
        if (seed is < 0 or > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "Seed must be between 0 and 2**32 - 1 (numpy).");
        _key[0] = (uint)seed;
        for (int i = 1; i < N; i++)
            _key[i] = unchecked(1812433253u * (_key[i - 1] ^ (_key[i - 1] >> 30)) + (uint)i);
        _position = N;
    }

    /// <summary>The next tempered 32-bit MT19937 output.</summary>
    public uint NextUInt32()
    {
        if (_position >= N)
            Generate();
        uint y = _key[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>numpy's <c>random_sample()</c>: a double in [0, 1) with 53 random bits from two draws.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5,
            b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A uniform integer in [0, max] by masked rejection sampling (numpy's <c>random_interval</c>).</summary>
    public ulong RandomInterval(ulong max)
    {
        if (max == 0)
            return 0;
        ulong mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        ulong value;
        if (max <= uint.MaxValue)
        {
            while ((value = NextUInt32() & mask) > max) { }
        }
        else
        {
            while ((value = NextUInt64() & mask) > max) { }
        }
        return value;
    }

    /// <summary>Shuffles in place exactly as <c>RandomState.shuffle</c> does for a 1-D array.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)RandomInterval((ulong)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary><c>RandomState.permutation(n)</c>: a shuffled 0 … n−1.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++)
            p[i] = i;
        Shuffle(p.AsSpan());
        return p;
    }

    private ulong NextUInt64()
    {
        ulong high = NextUInt32();
        return (high << 32) | NextUInt32();
    }

    private void Generate()
    {
        const uint upper = 0x80000000u,
            lower = 0x7fffffffu,
            matrixA = 0x9908b0dfu;
        int k;
        uint y;
        for (k = 0; k < N - M; k++)
        {
            y = (_key[k] & upper) | (_key[k + 1] & lower);
            _key[k] = _key[k + M] ^ (y >> 1) ^ ((y & 1) * matrixA);
        }
        for (; k < N - 1; k++)
        {
            y = (_key[k] & upper) | (_key[k + 1] & lower);
            _key[k] = _key[k + (M - N)] ^ (y >> 1) ^ ((y & 1) * matrixA);
        }
        y = (_key[N - 1] & upper) | (_key[0] & lower);
        _key[N - 1] = _key[M - 1] ^ (y >> 1) ^ ((y & 1) * matrixA);
        _position = 0;
    }
}
