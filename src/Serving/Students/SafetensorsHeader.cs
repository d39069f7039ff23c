using System.Buffers.Binary;
using System.Text.Json;

namespace FedDistill.Serving.Students;

/// <summary>
/// The tensor names and shapes of a safetensors file, read from its header alone (an 8-byte
/// little-endian length, then that much JSON) without loading any tensor: enough to learn what a
/// state dict was trained on, e.g. an mlp's input width, which <c>model.json</c> does not hold.
/// </summary>
internal static class SafetensorsHeader
{
    // A header is a few kilobytes; anything near this is not a safetensors file.
    private const long MaxHeaderBytes = 64L * 1024 * 1024;

    /// <exception cref="InvalidDataException">The file is not safetensors.</exception>
    public static IReadOnlyDictionary<string, long[]> ReadShapes(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8) throw new InvalidDataException($"'{path}' is too short to be a safetensors file.");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length == 0 || length > MaxHeaderBytes || (long)length > stream.Length - 8)
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header length {length} does not fit the file.");
        var header = new byte[length];
        stream.ReadExactly(header);

        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (entry.Name == "__metadata__") continue;
                shapes[entry.Name] = entry.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray();
            }
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new InvalidDataException($"'{path}' is not a safetensors file: its header is not a JSON object of tensors with shapes ({error.Message}).", error);
        }
        return shapes;
    }
}
