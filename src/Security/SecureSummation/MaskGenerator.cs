using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FedDistill.Security.SecureSummation;

/// <summary>
/// The pseudo-random generator that expands a 32-byte seed into a mask over Z_2^32 (whose low k bits are a uniform mask over Z_2^k): AES-256 in
/// counter mode (counter blocks 0, 1, 2, … encrypted under the seed, little-endian words of the
/// key stream as ring elements). Every seed is used for one mask only, because
/// <see cref="SecureSummationSession"/> derives it with the federation, the round and the pair in
/// the HKDF context, so the counter can start at zero.
/// </summary>
/// <remarks>AES-NI makes this a memory-speed loop; one EncryptEcb call covers the whole vector.</remarks>
public static class MaskGenerator
{
    /// <summary>Bytes of a seed: 32 (an AES-256 key).</summary>
    public const int SeedBytes = 32;

    /// <summary>accumulator += sign · PRG(seed) in Z_2^32, element-wise.</summary>
    /// <param name="seed">A 32-byte seed, used for this one mask only.</param>
    /// <param name="accumulator">The vector to mask or unmask.</param>
    /// <param name="subtract">False to add the mask, true to subtract it.</param>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static void Apply(ReadOnlySpan<byte> seed, Span<uint> accumulator, bool subtract)
    {
        if (seed.Length != SeedBytes) throw new ArgumentException($"A mask seed is {SeedBytes} bytes, not {seed.Length}.", nameof(seed));
        var mask = Expand(seed, accumulator.Length);
        if (subtract) FixedPointRing.Subtract(accumulator, mask);
        else FixedPointRing.Add(accumulator, mask);
    }

    /// <summary>The first <paramref name="length"/> ring elements of PRG(seed), as a new array.</summary>
    public static uint[] Expand(ReadOnlySpan<byte> seed, int length)
    {
        if (seed.Length != SeedBytes) throw new ArgumentException($"A mask seed is {SeedBytes} bytes, not {seed.Length}.", nameof(seed));
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var blocks = (length + 3) / 4;
        var counters = new byte[blocks * 16];
        for (var block = 0; block < blocks; block++) BinaryPrimitives.WriteUInt64BigEndian(counters.AsSpan(block * 16 + 8, 8), (ulong)block);
        using var aes = Aes.Create();
        aes.Key = seed.ToArray();
        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        var words = MemoryMarshal.Cast<byte, uint>(stream.AsSpan());
        var mask = new uint[length];
        if (BitConverter.IsLittleEndian) words[..length].CopyTo(mask);
        else for (var i = 0; i < length; i++) mask[i] = BinaryPrimitives.ReverseEndianness(words[i]);
        return mask;
    }
}
