using System.Buffers.Binary;
using System.Text;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

/// <summary>Builds safetensors files byte by byte, so tests can say exactly what is malformed.</summary>
internal static class SafetensorsTestFiles
{
    /// <summary>The Python-made reference file, copied next to the test assembly.</summary>
    public static string GoldenPath { get; } =
        Path.Combine(AppContext.BaseDirectory, "Protocol", "Safetensors", "golden", "golden.safetensors");

    /// <summary>
    /// A file whose header is <paramref name="headerJson"/> with single quotes turned into
    /// double quotes (for readable tests), followed by <paramref name="dataLength"/> data bytes.
    /// </summary>
    public static byte[] WithHeader(string headerJson, int dataLength) =>
        WithRawHeader(Encoding.UTF8.GetBytes(headerJson.Replace('\'', '"')), dataLength);

    /// <summary>A file with the given header bytes, unpadded, then <paramref name="dataLength"/> data bytes (1, 2, 3...).</summary>
    public static byte[] WithRawHeader(byte[] header, int dataLength)
    {
        var file = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        for (int i = 0; i < dataLength; i++)
        {
            file[8 + header.Length + i] = (byte)(i + 1);
        }

        return file;
    }

    /// <summary>Just the 8-byte length prefix, claiming a header of <paramref name="headerLength"/> bytes, then <paramref name="extraBytes"/> zero bytes.</summary>
    public static byte[] WithLengthPrefix(ulong headerLength, int extraBytes = 0)
    {
        var file = new byte[8 + extraBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, headerLength);
        return file;
    }

    /// <summary>The JSON header text of a file, with its padding.</summary>
    public static string HeaderText(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return Encoding.UTF8.GetString(file, 8, length);
    }
}
