using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace FedDistill.Distillation.Data;

/// <summary>
/// A SHA-256 identity of a dataset's contents, the same on every machine, so a run can record
/// exactly which data it trained on and clients can check they hold the same public set.
/// </summary>
/// <remarks>
/// The hash covers this byte encoding, in order (all integers little-endian):
/// <list type="number">
/// <item>the ASCII tag <c>feddistill-dataset-v1</c> followed by one zero byte;</item>
/// <item>the example count as int64;</item>
/// <item>the rank of the example shape as int32, then each dimension as int32;</item>
/// <item>the class count as int32;</item>
/// <item>one byte: 1 if labeled, 0 if not;</item>
/// <item>every feature as IEEE-754 float32, example-major (bit patterns, so −0 and +0 differ);</item>
/// <item>if labeled, every label as int32.</item>
/// </list>
/// Class names are not covered: renaming a class does not change the data. A change to this
/// encoding must change the version tag.
/// </remarks>
public static class DatasetFingerprint
{
    /// <summary>The version tag that starts the encoding.</summary>
    public const string VersionTag = "feddistill-dataset-v1";

    private const int ChunkBytes = 1 << 20;

    /// <summary>The lowercase hexadecimal SHA-256 of <paramref name="dataset"/>'s encoding (64 characters).</summary>
    public static string Compute(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        var header = new List<byte>(Encoding.ASCII.GetBytes(VersionTag)) { 0 };
        Span<byte> scratch = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(scratch, dataset.Count);
        header.AddRange(scratch[..8]);
        BinaryPrimitives.WriteInt32LittleEndian(scratch, dataset.ExampleShape.Count);
        header.AddRange(scratch[..4]);
        foreach (int dimension in dataset.ExampleShape)
        {
            BinaryPrimitives.WriteInt32LittleEndian(scratch, dimension);
            header.AddRange(scratch[..4]);
        }

        BinaryPrimitives.WriteInt32LittleEndian(scratch, dataset.ClassCount);
        header.AddRange(scratch[..4]);
        header.Add(dataset.HasLabels ? (byte)1 : (byte)0);
        hash.AppendData(CollectionsMarshal.AsSpan(header));

        AppendWordsLittleEndian(hash, MemoryMarshal.AsBytes(dataset.Features.Span));
        if (dataset.LabelArray is { } labels)
        {
            AppendWordsLittleEndian(hash, MemoryMarshal.AsBytes(labels.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hashes 4-byte values (float32 or int32) given as their in-memory bytes, in little-endian order.</summary>
    private static void AppendWordsLittleEndian(IncrementalHash hash, ReadOnlySpan<byte> nativeBytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            // In-memory bytes already are the encoding; hash them in large chunks without copying.
            for (int offset = 0; offset < nativeBytes.Length; offset += ChunkBytes)
            {
                hash.AppendData(nativeBytes.Slice(offset, Math.Min(ChunkBytes, nativeBytes.Length - offset)));
            }

            return;
        }

        // A big-endian host reverses each 4-byte value into a buffer first.
        ReadOnlySpan<int> words = MemoryMarshal.Cast<byte, int>(nativeBytes);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            const int wordsPerChunk = ChunkBytes / sizeof(int);
            for (int start = 0; start < words.Length; start += wordsPerChunk)
            {
                ReadOnlySpan<int> chunk = words.Slice(start, Math.Min(wordsPerChunk, words.Length - start));
                Span<byte> target = buffer.AsSpan(0, chunk.Length * sizeof(int));
                BinaryPrimitives.ReverseEndianness(chunk, MemoryMarshal.Cast<byte, int>(target));
                hash.AppendData(target);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
