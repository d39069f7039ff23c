using System.Numerics;

namespace FedDistill.Distillation.Data;

/// <summary>
/// A small seeded pseudo-random generator whose sequence is fixed by its definition, so a seed
/// means the same data split, partition and batch order on every machine and .NET version
/// (<see cref="System.Random"/> promises neither).
/// </summary>
/// <remarks>
/// <para>
/// The generator is xoshiro256** (Blackman and Vigna, 2018), its 256-bit state filled from the
/// 64-bit seed by four outputs of SplitMix64, as its authors recommend. Integer outputs,
/// <see cref="NextDouble"/>, <see cref="NextInt"/> and <see cref="Shuffle{T}"/> use integer
/// arithmetic and exact conversions only, so they are bit-identical everywhere.
/// <see cref="NextGaussian"/> and <see cref="NextGamma"/> also call <see cref="Math.Log(double)"/> and
/// <see cref="Math.Exp"/>, which a platform's math library may round differently in the last
/// bit; their samples are therefore reproducible to within rounding across platforms.
/// </para>
/// <para>Not thread-safe: give each thread or client its own instance (see <see cref="DeriveSeed"/>).</para>
/// </remarks>
public sealed class DeterministicRandom
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15;

    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    /// <summary>Creates a generator whose sequence is determined by <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed)
    {
        ulong splitMix = seed;
        s0 = NextSplitMix64(ref splitMix);
        s1 = NextSplitMix64(ref splitMix);
        s2 = NextSplitMix64(ref splitMix);
        s3 = NextSplitMix64(ref splitMix);
        if ((s0 | s1 | s2 | s3) == 0)
        {
            // The all-zero state is xoshiro's one fixed point; SplitMix64 never yields four zeros, but be certain.
            s0 = GoldenGamma;
        }
    }

    private DeterministicRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        (this.s0, this.s1, this.s2, this.s3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// A seed for an independent stream derived from <paramref name="seed"/> and a stream number,
    /// e.g. one per epoch or per client, so that streams do not overlap in practice and each can
    /// be recreated alone. Defined as <c>Mix64(Mix64(seed) + 0x9E3779B97F4A7C15 × (stream + 1))</c>
    /// with SplitMix64's finalizer <c>Mix64</c> and arithmetic modulo 2^64.
    /// </summary>
    public static ulong DeriveSeed(ulong seed, ulong stream) =>
        Mix64(unchecked(Mix64(seed) + GoldenGamma * (stream + 1)));

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1): the top 53 bits of <see cref="NextUInt64"/> times 2^-53.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias (Lemire's
    /// multiply-and-reject method, 2019).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        ulong range = (ulong)maxExclusive;
        ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
        if (low < range)
        {
            // Reject the few products whose low half falls in the short first interval.
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), range, out low);
            }
        }

        return (int)high;
    }

    /// <summary>A standard normal sample (mean 0, variance 1), by Marsaglia's polar method.</summary>
    public double NextGaussian()
    {
        // The polar method needs only a logarithm and a square root (correctly rounded), not sin/cos.
        while (true)
        {
            double u = 2.0 * NextDouble() - 1.0;
            double v = 2.0 * NextDouble() - 1.0;
            double s = u * u + v * v;
            if (s < 1.0 && s > 0.0)
            {
                return u * Math.Sqrt(-2.0 * Math.Log(s) / s);
            }
        }
    }

    /// <summary>
    /// A Gamma(<paramref name="shape"/>, 1) sample, whose mean and variance are both
    /// <paramref name="shape"/>: Marsaglia and Tsang's method (2000), boosted for shape &lt; 1 by
    /// drawing Gamma(shape + 1) and multiplying by U^(1/shape).
    /// </summary>
    /// <remarks>For very small shapes the sample can underflow to exactly 0.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shape"/> is not a positive finite number.</exception>
    public double NextGamma(double shape)
    {
        if (!(shape > 0.0) || double.IsPositiveInfinity(shape))
        {
            throw new ArgumentOutOfRangeException(nameof(shape), shape, "The Gamma shape must be positive and finite.");
        }

        if (shape < 1.0)
        {
            double boosted = NextGamma(shape + 1.0);
            double uniform = 1.0 - NextDouble(); // in (0, 1], so the logarithm is finite
            return boosted * Math.Exp(Math.Log(uniform) / shape);
        }

        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x;
            double v;
            do
            {
                x = NextGaussian();
                v = 1.0 + c * x;
            }
            while (v <= 0.0);

            v = v * v * v;
            double u = 1.0 - NextDouble();
            double xSquared = x * x;
            if (u < 1.0 - 0.0331 * xSquared * xSquared)
            {
                return d * v;
            }

            if (Math.Log(u) < 0.5 * xSquared + d * (1.0 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="proportions"/> with a sample from the symmetric Dirichlet
    /// distribution of concentration <paramref name="concentration"/>: non-negative values
    /// summing to 1, nearly one-hot for a concentration well below 1, nearly uniform well above it.
    /// </summary>
    /// <remarks>
    /// Normalized Gamma(concentration) draws, one per entry in order. For concentrations below 1
    /// the draws are combined in log space, so that even when every Gamma sample would underflow
    /// to 0 the proportions still sum to 1.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="concentration"/> is not a positive finite number.</exception>
    /// <exception cref="ArgumentException"><paramref name="proportions"/> is empty.</exception>
    public void NextDirichlet(double concentration, Span<double> proportions)
    {
        if (!(concentration > 0.0) || double.IsPositiveInfinity(concentration))
        {
            throw new ArgumentOutOfRangeException(
                nameof(concentration), concentration, "The Dirichlet concentration must be positive and finite.");
        }

        if (proportions.IsEmpty)
        {
            throw new ArgumentException("Need at least one proportion to draw.", nameof(proportions));
        }

        double largest = double.NegativeInfinity;
        for (int i = 0; i < proportions.Length; i++)
        {
            proportions[i] = NextLogGamma(concentration);
            largest = Math.Max(largest, proportions[i]);
        }

        double sum = 0.0;
        for (int i = 0; i < proportions.Length; i++)
        {
            proportions[i] = Math.Exp(proportions[i] - largest);
            sum += proportions[i];
        }

        for (int i = 0; i < proportions.Length; i++)
        {
            proportions[i] /= sum;
        }
    }

    /// <summary>
    /// Shuffles <paramref name="items"/> in place, every permutation equally likely
    /// (Fisher–Yates from the last element down, drawing with <see cref="NextInt"/>).
    /// </summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The logarithm of a Gamma(shape, 1) sample, drawn as <see cref="NextGamma"/> draws but finite even where the sample underflows.</summary>
    private double NextLogGamma(double shape)
    {
        if (shape < 1.0)
        {
            double boosted = NextGamma(shape + 1.0);
            double uniform = 1.0 - NextDouble();
            return Math.Log(boosted) + Math.Log(uniform) / shape;
        }

        return Math.Log(NextGamma(shape));
    }

    /// <summary>A generator starting from a raw xoshiro256** state, for testing against the published reference.</summary>
    internal static DeterministicRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3) => new(s0, s1, s2, s3);

    /// <summary>One step of SplitMix64 (Steele, Lea and Flood, 2014): advance the state, return its mix.</summary>
    internal static ulong NextSplitMix64(ref ulong state)
    {
        state = unchecked(state + GoldenGamma);
        return Mix64(state);
    }

    private static ulong Mix64(ulong z)
    {
        unchecked
        {
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
    }
}
