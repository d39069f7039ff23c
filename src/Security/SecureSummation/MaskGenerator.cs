using System.Buffers;
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
/// <remarks>
/// AES-NI makes this a memory-speed loop. The key stream is made and folded into the vector in
/// chunks of <see cref="ChunkBlocks"/> blocks (16 KB) through one pooled buffer, so masking a
/// vector allocates nothing in proportion to its length and the stream stays in cache between
/// its encryption and its addition.
/// </remarks>
public static class MaskGenerator
{
    /// <summary>Bytes of a seed: 32 (an AES-256 key).</summary>
    public const int SeedBytes = 32;

    private const int BlockBytes = 16;
    private const int ChunkBlocks = 1024;
    private const int WordsPerBlock = BlockBytes / sizeof(uint);

    /// <summary>accumulator += sign · PRG(seed) in Z_2^32, element-wise.</summary>
    /// <param name="seed">A 32-byte seed, used for this one mask only.</param>
    /// <param name="accumulator">The vector to mask or unmask.</param>
    /// <param name="subtract">False to add the mask, true to subtract it.</param>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static void Apply(ReadOnlySpan<byte> seed, Span<uint> accumulator, bool subtract)
    {
        if (seed.Length != SeedBytes) throw new ArgumentException($"A mask seed is {SeedBytes} bytes, not {seed.Length}.", nameof(seed));
        using var aes = Aes.Create();
        aes.SetKey(seed);
        var buffer = ArrayPool<byte>.Shared.Rent(2 * ChunkBlocks * BlockBytes);
        try
        {
            var counters = buffer.AsSpan(0, ChunkBlocks * BlockBytes);
            var stream = buffer.AsSpan(ChunkBlocks * BlockBytes, ChunkBlocks * BlockBytes);
            // Counter block b: eight zero bytes, then b big-endian.
            counters.Clear();
            ulong block = 0;
            for (var offset = 0; offset < accumulator.Length; offset += ChunkBlocks * WordsPerBlock)
            {
                var words = Math.Min(ChunkBlocks * WordsPerBlock, accumulator.Length - offset);
                var blocks = (words + WordsPerBlock - 1) / WordsPerBlock;
                for (var b = 0; b < blocks; b++) BinaryPrimitives.WriteUInt64BigEndian(counters.Slice(b * BlockBytes + 8, 8), block + (ulong)b);
                aes.EncryptEcb(counters[..(blocks * BlockBytes)], stream, PaddingMode.None);
                var mask = MemoryMarshal.Cast<byte, uint>(stream)[..words];
                // The key stream's words are little-endian ring elements on every machine.
                if (!BitConverter.IsLittleEndian) BinaryPrimitives.ReverseEndianness(mask, mask);
                if (subtract) FixedPointRing.Subtract(accumulator.Slice(offset, words), mask);
                else FixedPointRing.Add(accumulator.Slice(offset, words), mask);
                block += (ulong)blocks;
            }
        }
        finally
        {
            // The key stream is the mask: it must not linger in a pooled buffer.
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The first <paramref name="length"/> ring elements of PRG(seed), as a new array.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static uint[] Expand(ReadOnlySpan<byte> seed, int length)
    {
        if (seed.Length != SeedBytes) throw new ArgumentException($"A mask seed is {SeedBytes} bytes, not {seed.Length}.", nameof(seed));
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var mask = new uint[length];
        Apply(seed, mask, subtract: false);
        return mask;
    }
}
