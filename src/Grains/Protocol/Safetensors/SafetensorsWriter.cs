using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// Writes the safetensors format, byte for byte the same for the same entries and metadata
/// whatever order they are given in, so that content addresses (SHA-256) of artifacts are stable.
/// </summary>
/// <remarks>
/// <para>The layout, which tests/FedDistill.Grains.Tests/Protocol/Safetensors/golden/make_golden.py reproduces:</para>
/// <list type="bullet">
/// <item>Tensors are ordered by element size, largest first, then by name (ordinal). With the
/// 8-byte-aligned data buffer this puts every tensor at an offset that is a multiple of its element
/// size, so a reader may view the data in place as typed values.</item>
/// <item>The header is compact JSON (no whitespace): <c>__metadata__</c> first, when there is any,
/// with its keys sorted (ordinal); then one object per tensor with keys <c>dtype</c>, <c>shape</c>,
/// <c>data_offsets</c> in that order. Non-ASCII text is written as raw UTF-8, not escaped.</item>
/// <item>The header is padded with spaces to a multiple of 8 bytes, as the reference implementation does.</item>
/// </list>
/// </remarks>
internal static class SafetensorsWriter
{
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        // Relaxed: the header is never embedded in HTML, and raw UTF-8 matches other writers
        // (serde_json, Python with ensure_ascii=False) for names such as "température".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Writes a complete file into a new array; the caller owns it.</summary>
    /// <param name="entries">The tensors, with distinct names; any order.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentException">Two entries share a name, a metadata value is null, or the file would exceed <see cref="Array.MaxLength"/> or the header the format's limit.</exception>
    public static byte[] ToBytes(IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var layout = Plan(entries, metadata);
        if (layout.FileLength > Array.MaxLength)
        {
            throw new ArgumentException($"The file would be {layout.FileLength} bytes, more than one array holds; write it to a stream instead.", nameof(entries));
        }

        var file = new byte[layout.FileLength];
        layout.Prefix.CopyTo(file, 0);
        int offset = layout.Prefix.Length;
        foreach (var entry in layout.Entries)
        {
            entry.Data.Span.CopyTo(file.AsSpan(offset));
            offset += entry.Data.Length;
        }

        return file;
    }

    /// <summary>Writes a complete file to <paramref name="stream"/> at its current position.</summary>
    /// <param name="stream">The destination; written, not flushed or disposed.</param>
    /// <param name="entries">The tensors, with distinct names; any order.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <exception cref="ArgumentException">Two entries share a name, a metadata value is null, or the header would exceed the format's limit.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public static void Write(Stream stream, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var layout = Plan(entries, metadata);
        stream.Write(layout.Prefix);
        foreach (var entry in layout.Entries)
        {
            stream.Write(entry.Data.Span);
        }
    }

    /// <summary>Asynchronously writes a complete file to <paramref name="stream"/> at its current position.</summary>
    /// <param name="stream">The destination; written, not flushed or disposed.</param>
    /// <param name="entries">The tensors, with distinct names; any order.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <param name="cancellationToken">Cancels the write, leaving the stream partly written.</param>
    /// <exception cref="ArgumentException">Two entries share a name, a metadata value is null, or the header would exceed the format's limit.</exception>
    /// <exception cref="IOException">Writing to the stream failed.</exception>
    public static async Task WriteAsync(Stream stream, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var layout = Plan(entries, metadata);
        await stream.WriteAsync(layout.Prefix, cancellationToken).ConfigureAwait(false);
        foreach (var entry in layout.Entries)
        {
            await stream.WriteAsync(entry.Data, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a complete file to <paramref name="path"/> atomically: readers see the old file or
    /// the new one, never a partial one. The bytes go to a temporary file in the same directory,
    /// are flushed to disk, and the temporary file then replaces <paramref name="path"/>.
    /// </summary>
    /// <param name="path">The destination, created or replaced.</param>
    /// <param name="entries">The tensors, with distinct names; any order.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <exception cref="ArgumentException">Two entries share a name, a metadata value is null, or the header would exceed the format's limit.</exception>
    /// <exception cref="IOException">Writing or replacing the file failed; the temporary file is removed and <paramref name="path"/> is unchanged.</exception>
    public static void WriteFile(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = Plan(entries, metadata);
        string fullPath = Path.GetFullPath(path);
        string temporaryPath = TemporaryPathFor(fullPath);
        try
        {
            using (var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                stream.Write(layout.Prefix);
                foreach (var entry in layout.Entries)
                {
                    stream.Write(entry.Data.Span);
                }

                // Durable before the rename, so a crash cannot leave a renamed but empty file.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporaryPath);
            throw;
        }
    }

    /// <summary>Asynchronously writes a complete file to <paramref name="path"/> atomically, as <see cref="WriteFile"/> does.</summary>
    /// <param name="path">The destination, created or replaced.</param>
    /// <param name="entries">The tensors, with distinct names; any order.</param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>; null or empty for none.</param>
    /// <param name="cancellationToken">Cancels the write; <paramref name="path"/> is then unchanged.</param>
    /// <exception cref="ArgumentException">Two entries share a name, a metadata value is null, or the header would exceed the format's limit.</exception>
    /// <exception cref="IOException">Writing or replacing the file failed; the temporary file is removed and <paramref name="path"/> is unchanged.</exception>
    public static async Task WriteFileAsync(string path, IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var layout = Plan(entries, metadata);
        string fullPath = Path.GetFullPath(path);
        string temporaryPath = TemporaryPathFor(fullPath);
        try
        {
            var stream = new FileStream(temporaryPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(layout.Prefix, cancellationToken).ConfigureAwait(false);
                foreach (var entry in layout.Entries)
                {
                    await stream.WriteAsync(entry.Data, cancellationToken).ConfigureAwait(false);
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

                // There is no asynchronous fsync; this only waits for the disk, after all bytes are written.
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporaryPath, fullPath, overwrite: true);
        }
        catch
        {
            DeleteQuietly(temporaryPath);
            throw;
        }
    }

    /// <summary>Orders the entries and builds the length prefix, JSON header and padding.</summary>
    private static Layout Plan(IEnumerable<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(entries);

        // The document constructor rejects null entries, duplicate names and null metadata values.
        var document = new SafetensorsDocument(entries, metadata);
        var ordered = document.Entries
            .OrderByDescending(entry => entry.DType.ElementSize())
            .ThenBy(entry => entry.Name, StringComparer.Ordinal)
            .ToArray();

        var json = new ArrayBufferWriter<byte>();
        long dataLength = 0;
        using (var writer = new Utf8JsonWriter(json, JsonOptions))
        {
            writer.WriteStartObject();
            if (document.Metadata.Count > 0)
            {
                writer.WriteStartObject(SafetensorsEntry.MetadataKey);
                foreach (var (key, value) in document.Metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            foreach (var entry in ordered)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", SafetensorsDTypes.ToFormatName(entry.DType));
                writer.WriteStartArray("shape");
                foreach (long dimension in entry.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(dataLength);
                dataLength += entry.Data.Length;
                writer.WriteNumberValue(dataLength);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        // Padding to 8 bytes aligns the data buffer, and with it every tensor (see the ordering).
        int padding = (8 - (json.WrittenCount % 8)) % 8;
        int headerLength = json.WrittenCount + padding;
        if (headerLength > SafetensorsReader.MaxHeaderLength)
        {
            throw new ArgumentException(
                $"The header would be {headerLength} bytes, over the format's limit of {SafetensorsReader.MaxHeaderLength}; write fewer tensors per file.",
                nameof(entries));
        }

        var prefix = new byte[SafetensorsReader.LengthPrefixSize + headerLength];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)headerLength);
        json.WrittenSpan.CopyTo(prefix.AsSpan(SafetensorsReader.LengthPrefixSize));
        prefix.AsSpan(SafetensorsReader.LengthPrefixSize + json.WrittenCount).Fill((byte)' ');
        return new Layout(prefix, ordered, prefix.LongLength + dataLength);
    }

    private static string TemporaryPathFor(string fullPath) =>
        Path.Combine(
            Path.GetDirectoryName(fullPath) ?? throw new ArgumentException($"'{fullPath}' names no file.", nameof(fullPath)),
            $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>A planned file: length prefix plus padded header, the entries in file order, and the total length.</summary>
    private sealed record Layout(byte[] Prefix, SafetensorsEntry[] Entries, long FileLength);
}
