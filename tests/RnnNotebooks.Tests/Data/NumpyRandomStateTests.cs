using RnnNotebooks.Data;

namespace RnnNotebooks.Tests.Data;

public class NumpyRandomStateTests
{
    [Fact]
    public void Draws_the_reference_mt19937_stream()
    {
        // MT19937 with init_genrand(5489): C++ std::mt19937's default; its 10,000th output is fixed by the C++ standard.
        var rng = new NumpyRandomState(5489);
        var first = Enumerable.Range(0, 5).Select(_ => rng.NextUInt32()).ToArray();
        first.Should().Equal(3499211612u, 581869302u, 3890346734u, 3586334585u, 545404204u);
        for (int i = 6; i < 10000; i++)
            rng.NextUInt32();
        rng.NextUInt32().Should().Be(4123659995u);
    }

    [Fact]
    public void Seed_zero_matches_numpy()
    {
        // numpy 1.24: RandomState(0).randint(0, 2**32, size=3, dtype=np.uint64)
        var rng = new NumpyRandomState(0);
        new[] { rng.NextUInt32(), rng.NextUInt32(), rng.NextUInt32() }
            .Should()
            .Equal(2357136044u, 2546248239u, 3071714933u);
    }

    [Fact]
    public void Permutation_matches_numpy()
    {
        // numpy 1.24: RandomState(s).permutation(n)
        new NumpyRandomState(42)
            .Permutation(10)
            .Should()
            .Equal(8, 1, 5, 0, 7, 2, 9, 4, 3, 6);
        new NumpyRandomState(42)
            .Permutation(25)
            .Should()
            .Equal(8, 16, 0, 23, 11, 9, 13, 1, 22, 5, 2, 12, 15, 3, 4, 20, 17, 21, 18, 24, 7, 10, 14, 19, 6);
        new NumpyRandomState(uint.MaxValue).Permutation(8).Should().Equal(1, 7, 6, 0, 5, 4, 2, 3);
    }

    [Fact]
    public void Consecutive_permutations_continue_the_stream_like_keras_imdb()
    {
        // numpy: r = RandomState(113); r.permutation(6); r.permutation(4)
        var rng = new NumpyRandomState(113);
        rng.Permutation(6).Should().Equal(1, 0, 3, 2, 4, 5);
        rng.Permutation(4).Should().Equal(0, 1, 3, 2);
    }

    [Fact]
    public void Shuffle_of_a_large_array_matches_numpy()
    {
        // numpy: a = np.arange(70000); RandomState(7).shuffle(a); a[:8]
        var a = Enumerable.Range(0, 70000).ToArray();
        new NumpyRandomState(7).Shuffle(a.AsSpan());
        a.Take(8).Should().Equal(7653, 66274, 9119, 10760, 43166, 24247, 3682, 37283);
    }

    [Fact]
    public void Random_sample_matches_numpy()
    {
        // numpy: RandomState(123456789).random_sample(3)
        var rng = new NumpyRandomState(123456789);
        rng.NextDouble().Should().Be(0.532833024789759);
        rng.NextDouble().Should().Be(0.5341366008904166);
        rng.NextDouble().Should().Be(0.509553035526467);
    }

    [Fact]
    public void Random_interval_stays_within_bounds()
    {
        var rng = new NumpyRandomState(1);
        rng.RandomInterval(0).Should().Be(0);
        Enumerable.Range(0, 1000).Select(_ => rng.RandomInterval(5)).Should().OnlyContain(v => v <= 5).And.Contain(5UL);
        Enumerable.Range(0, 100).Select(_ => rng.RandomInterval(1UL << 40)).Should().OnlyContain(v => v <= 1UL << 40);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(4294967296L)]
    public void Seeds_outside_32_bits_are_rejected_like_numpy(long seed)
    {
        var act = () => new NumpyRandomState(seed);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*2**32 - 1*");
    }
}
