using System.Buffers.Binary;
using System.Text.Json;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// Finds safetensors documents inside stored bytes (a grain storage provider wraps them in its own
/// serialization): an 8-byte little-endian header length, a JSON header naming each tensor and its
/// data offsets, then the data.
/// </summary>
public static class EmbeddedSafetensors
{
    /// <summary>Every tensor of every safetensors document found in <paramref name="bytes"/>: its name and its data.</summary>
    public static IReadOnlyList<(string Name, ReadOnlyMemory<byte> Data)> Tensors(byte[] bytes)
    {
        var tensors = new List<(string, ReadOnlyMemory<byte>)>();
        for (var start = 0; start + 10 <= bytes.Length; start++)
        {
            if (bytes[start + 8] != (byte)'{' || bytes[start + 9] != (byte)'"') continue;
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(start));
            if (headerLength < 2 || headerLength > (ulong)(bytes.Length - start - 8)) continue;
            var dataStart = start + 8 + (int)headerLength;
            try
            {
                using var header = JsonDocument.Parse(bytes.AsMemory(start + 8, (int)headerLength));
                var found = new List<(string, ReadOnlyMemory<byte>)>();
                foreach (var entry in header.RootElement.EnumerateObject())
                {
                    if (entry.Name == "__metadata__") continue;
                    var offsets = entry.Value.GetProperty("data_offsets");
                    var (from, to) = (offsets[0].GetInt64(), offsets[1].GetInt64());
                    if (from < 0 || to < from || dataStart + to > bytes.Length) throw new FormatException("offsets past the end");
                    found.Add((entry.Name, bytes.AsMemory(dataStart + (int)from, (int)(to - from))));
                }

                tensors.AddRange(found);
                start = dataStart - 1;
            }
            catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
            {
                // Not a safetensors header: keep scanning.
            }
        }

        return tensors;
    }
}
