using System.Security.Cryptography;
using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Privacy;

/// <summary>
/// Gaussian noise for private aggregation: from the operating system's cryptographically secure
/// generator (<see cref="Secure"/>, what the federation uses) or from a seeded generator
/// (<see cref="Seeded"/>, for tests and reproducible benchmarks only: anyone who knows the seed can
/// subtract the noise).
/// </summary>
/// <remarks>
/// Samples come from the Box-Muller transform of two uniform doubles with 53 random bits each. As
/// with every floating-point implementation of a continuous mechanism, the low-order bits of the
/// sample are not perfectly distributed (Mironov 2012, "On significance of the least significant
/// bits for differential privacy"); PATE releases only the argmax of the noisy counts, not the
/// counts themselves, which leaves far less of them to observe. Not thread-safe.
/// </remarks>
public sealed class GaussianNoise
{
    private readonly DeterministicRandom? _seeded;
    private double? _spare;

    private GaussianNoise(DeterministicRandom? seeded) => _seeded = seeded;

    /// <summary>True when the samples come from the cryptographically secure generator.</summary>
    public bool IsSecure => _seeded is null;

    /// <summary>Noise from <see cref="RandomNumberGenerator"/>: unpredictable, for production.</summary>
    public static GaussianNoise Secure() => new(null);

    /// <summary>Reproducible noise from <see cref="DeterministicRandom"/>: for tests and benchmarks, never for a real release.</summary>
    public static GaussianNoise Seeded(ulong seed) => new(new DeterministicRandom(seed));

    /// <summary>One sample of N(0, σ²).</summary>
    /// <exception cref="ArgumentOutOfRangeException">σ is negative or not finite.</exception>
    public double Next(double sigma)
    {
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be finite and non-negative.");
        if (_spare is { } spare)
        {
            _spare = null;
            return sigma * spare;
        }

        // Box-Muller: u1 in (0, 1] so the logarithm is finite.
        var u1 = 1.0 - Uniform();
        var u2 = Uniform();
        var radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = radius * Math.Sin(2.0 * Math.PI * u2);
        return sigma * radius * Math.Cos(2.0 * Math.PI * u2);
    }

    // A uniform double in [0, 1) with 53 random bits.
    private double Uniform()
    {
        ulong bits;
        if (_seeded is not null)
        {
            bits = _seeded.NextUInt64();
        }
        else
        {
            Span<byte> buffer = stackalloc byte[8];
            RandomNumberGenerator.Fill(buffer);
            bits = BitConverter.ToUInt64(buffer);
        }

        return (bits >> 11) * (1.0 / (1UL << 53));
    }
}
