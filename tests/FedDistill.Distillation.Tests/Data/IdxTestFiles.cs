using System.Buffers.Binary;
using System.IO.Compression;

namespace FedDistill.Distillation.Tests.Data;

/// <summary>Builds IDX files byte by byte from the format's definition, for reader tests.</summary>
internal static class IdxTestFiles
{
    public static byte[] Images(int count, int rows, int columns, Func<int, byte> pixel)
    {
        var bytes = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), columns);
        for (int i = 0; i < count * rows * columns; i++)
        {
            bytes[16 + i] = pixel(i);
        }

        return bytes;
    }

    public static byte[] Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), labels.Length);
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return memory.ToArray();
    }
}
