namespace FedDistill.Security.Tests.SecureSummation;

/// <summary>Chi-square statistics that a vector of 32-bit words looks uniform.</summary>
internal static class UniformityCheck
{
    /// <summary>
    /// Chi-square of the 256 values of the byte at <paramref name="byteIndex"/> of each word
    /// (255 degrees of freedom: mean 255, standard deviation about 22.6; 370 is beyond p = 0.0001).
    /// </summary>
    public static double ByteChiSquare(IReadOnlyList<uint> words, int byteIndex)
    {
        var counts = new int[256];
        foreach (var word in words) counts[(word >> (8 * byteIndex)) & 0xFF]++;
        var expected = words.Count / 256.0;
        return counts.Sum(count => (count - expected) * (count - expected) / expected);
    }

    /// <summary>Chi-square of the 256 byte values over all of <paramref name="bytes"/> (a packed vector without its padded last byte).</summary>
    public static double PackedChiSquare(ReadOnlySpan<byte> bytes)
    {
        var counts = new int[256];
        foreach (var value in bytes) counts[value]++;
        var expected = bytes.Length / 256.0;
        return counts.Sum(count => (count - expected) * (count - expected) / expected);
    }

    public const double Limit = 370;
}
