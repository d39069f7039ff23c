using System.Buffers.Binary;

namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// Reads the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON describing each tensor's dtype, shape and byte range, then the data buffer those
/// ranges index.
/// </summary>
/// <remarks>
/// <para>
/// Input is treated as hostile (uploads reach the aggregator from other organizations): every
/// malformed file fails with <see cref="SafetensorsFormatException"/> and nothing else, before
/// anything is allocated in proportion to a length the file merely claims. The checks are
/// those of the reference implementation and then some: known dtypes only, no unknown keys,
/// no duplicate names, and tensors that tile the data buffer exactly, with no overlap, gap or
/// trailing bytes.
/// </para>
/// <para>
/// The whole file is held in memory, so files are limited to <see cref="Array.MaxLength"/>
/// bytes (about 2 GiB); larger ones fail with <see cref="NotSupportedException"/>.
/// </para>
/// </remarks>
internal static class SafetensorsReader
{
    /// <summary>The largest header the format allows, in bytes (the reference implementation's limit).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>The size in bytes of the header-length prefix that starts every file.</summary>
    public const int LengthPrefixSize = 8;

    /// <summary>
    /// Parses a whole file held in memory. The entries' <see cref="SafetensorsEntry.Data"/> are
    /// slices of <paramref name="file"/>, not copies: keep it unchanged while the document is used.
    /// </summary>
    /// <param name="file">The complete file.</param>
    /// <returns>The tensors in the order of their bytes in the file, and the metadata.</returns>
    /// <exception cref="SafetensorsFormatException">The bytes are not a well-formed safetensors file.</exception>
    public static SafetensorsDocument Read(ReadOnlyMemory<byte> file)
    {
        var span = file.Span;
        if (span.Length < LengthPrefixSize)
        {
            throw TooShort(span.Length);
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        CheckHeaderLength(headerLength, (ulong)(span.Length - LengthPrefixSize));

        // CheckHeaderLength bounded it by the span's length, so the cast cannot overflow.
        int dataStart = LengthPrefixSize + (int)headerLength;
        var header = SafetensorsHeaderParser.Parse(span[LengthPrefixSize..dataStart]);
        var data = file[dataStart..];
        var tensors = CheckLayout(header.Tensors, data.Length);

        var entries = new SafetensorsEntry[tensors.Length];
        for (int i = 0; i < tensors.Length; i++)
        {
            var tensor = tensors[i];
            entries[i] = new SafetensorsEntry(tensor.Name, tensor.DType, tensor.Shape, data.Slice((int)tensor.Begin, (int)tensor.ByteLength));
        }

        return new SafetensorsDocument(entries, header.Metadata);
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end and parses it. The header length is checked
    /// before the rest is read; a seekable stream is read into one buffer of its exact size, any
    /// other grows a buffer only as bytes actually arrive.
    /// </summary>
    /// <param name="stream">Positioned at the start of the file; read to its end, not disposed.</param>
    /// <returns>A document whose entries share one buffer that it alone references.</returns>
    /// <exception cref="SafetensorsFormatException">The bytes are not a well-formed safetensors file.</exception>
    /// <exception cref="NotSupportedException">The file is larger than <see cref="Array.MaxLength"/> bytes.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static SafetensorsDocument Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[LengthPrefixSize];
        int prefixLength = stream.ReadAtLeast(prefix, LengthPrefixSize, throwOnEndOfStream: false);
        if (stream.CanSeek)
        {
            var file = AllocateForSeekable(prefix, prefixLength, stream.Length - stream.Position);
            int read = stream.ReadAtLeast(file.AsSpan(LengthPrefixSize), file.Length - LengthPrefixSize, throwOnEndOfStream: false);
            return Read(file.AsMemory(0, LengthPrefixSize + read));
        }

        using var buffer = StartGrowingBuffer(prefix, prefixLength);
        stream.CopyTo(buffer);
        return Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <summary>Asynchronously reads <paramref name="stream"/> to its end and parses it, as <see cref="Read(Stream)"/> does.</summary>
    /// <param name="stream">Positioned at the start of the file; read to its end, not disposed.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A document whose entries share one buffer that it alone references.</returns>
    /// <exception cref="SafetensorsFormatException">The bytes are not a well-formed safetensors file.</exception>
    /// <exception cref="NotSupportedException">The file is larger than <see cref="Array.MaxLength"/> bytes.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static async Task<SafetensorsDocument> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[LengthPrefixSize];
        int prefixLength = await stream.ReadAtLeastAsync(prefix, LengthPrefixSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (stream.CanSeek)
        {
            var file = AllocateForSeekable(prefix, prefixLength, stream.Length - stream.Position);
            int read = await stream.ReadAtLeastAsync(file.AsMemory(LengthPrefixSize), file.Length - LengthPrefixSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return Read(file.AsMemory(0, LengthPrefixSize + read));
        }

        using var buffer = StartGrowingBuffer(prefix, prefixLength);
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Read(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>A document whose entries share one buffer that it alone references.</returns>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="NotSupportedException">The file is larger than <see cref="Array.MaxLength"/> bytes.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SafetensorsDocument ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // No FileStream buffer: the file goes straight into one array of its own size.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        return Read(stream);
    }

    /// <summary>Asynchronously reads and parses the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>A document whose entries share one buffer that it alone references.</returns>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file.</exception>
    /// <exception cref="NotSupportedException">The file is larger than <see cref="Array.MaxLength"/> bytes.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<SafetensorsDocument> ReadFileAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return await ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void CheckHeaderLength(ulong headerLength, ulong bytesAfterPrefix)
    {
        if (headerLength > MaxHeaderLength)
        {
            throw HeaderOverLimit(headerLength);
        }

        if (headerLength > bytesAfterPrefix)
        {
            throw new SafetensorsFormatException(
                $"header length {headerLength} runs past the end of the file: only {bytesAfterPrefix} bytes follow the {LengthPrefixSize}-byte length prefix (truncated file?)");
        }
    }

    /// <summary>
    /// Checks the header length against what the stream says remains, then allocates one array
    /// for the whole file: never more than the stream really holds.
    /// </summary>
    private static byte[] AllocateForSeekable(byte[] prefix, int prefixLength, long remaining)
    {
        if (prefixLength < LengthPrefixSize)
        {
            throw TooShort(prefixLength);
        }

        remaining = Math.Max(0, remaining);
        CheckHeaderLength(BinaryPrimitives.ReadUInt64LittleEndian(prefix), (ulong)remaining);
        if (remaining > Array.MaxLength - LengthPrefixSize)
        {
            throw new NotSupportedException(
                $"The file is {remaining + LengthPrefixSize} bytes; the reader holds files in memory and supports at most {Array.MaxLength}.");
        }

        var file = new byte[LengthPrefixSize + remaining];
        prefix.CopyTo(file, 0);
        return file;
    }

    /// <summary>
    /// For a stream of unknown length: rejects a header length that is too large at once, then
    /// returns a buffer that grows only with the bytes actually read.
    /// </summary>
    private static MemoryStream StartGrowingBuffer(byte[] prefix, int prefixLength)
    {
        if (prefixLength < LengthPrefixSize)
        {
            throw TooShort(prefixLength);
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
        {
            throw HeaderOverLimit(headerLength);
        }

        var buffer = new MemoryStream();
        buffer.Write(prefix, 0, prefixLength);
        return buffer;
    }

    /// <summary>
    /// Checks each tensor's byte range against the data buffer, then that the ranges tile the
    /// buffer exactly, as the format requires.
    /// </summary>
    /// <returns>The tensors ordered by their position in the buffer.</returns>
    private static SafetensorsHeader.Tensor[] CheckLayout(IReadOnlyList<SafetensorsHeader.Tensor> tensors, int dataLength)
    {
        foreach (var tensor in tensors)
        {
            string name = SafetensorsHeaderParser.Quote(tensor.Name);
            if (tensor.End > dataLength)
            {
                throw new SafetensorsFormatException(
                    $"tensor {name}: data_offsets [{tensor.Begin}, {tensor.End}] run past the end of the {dataLength}-byte data buffer");
            }

            if (tensor.End - tensor.Begin != tensor.ByteLength)
            {
                throw new SafetensorsFormatException(
                    $"tensor {name}: data_offsets [{tensor.Begin}, {tensor.End}] span {tensor.End - tensor.Begin} bytes but shape {SafetensorsEntry.FormatShape(tensor.Shape)} of {SafetensorsDTypes.ToFormatName(tensor.DType)} needs {tensor.ByteLength}");
            }
        }

        // The name breaks ties between empty tensors at one offset, so the order is deterministic.
        var ordered = tensors
            .OrderBy(tensor => tensor.Begin)
            .ThenBy(tensor => tensor.End)
            .ThenBy(tensor => tensor.Name, StringComparer.Ordinal)
            .ToArray();
        long covered = 0;
        for (int i = 0; i < ordered.Length; i++)
        {
            var tensor = ordered[i];
            if (tensor.Begin < covered)
            {
                var previous = ordered[i - 1];
                throw new SafetensorsFormatException(
                    $"tensor {SafetensorsHeaderParser.Quote(tensor.Name)}: data_offsets [{tensor.Begin}, {tensor.End}] overlap tensor {SafetensorsHeaderParser.Quote(previous.Name)} at [{previous.Begin}, {previous.End}]");
            }

            if (tensor.Begin > covered)
            {
                throw new SafetensorsFormatException(
                    $"bytes [{covered}, {tensor.Begin}) of the data buffer, before tensor {SafetensorsHeaderParser.Quote(tensor.Name)}, belong to no tensor; the format allows no gaps");
            }

            covered = tensor.End;
        }

        if (covered != dataLength)
        {
            throw new SafetensorsFormatException(
                $"the last {dataLength - covered} bytes of the {dataLength}-byte data buffer belong to no tensor; the format allows no trailing bytes");
        }

        return ordered;
    }

    private static SafetensorsFormatException HeaderOverLimit(ulong headerLength) =>
        new($"header length {headerLength} exceeds the format's limit of {MaxHeaderLength} bytes");

    private static SafetensorsFormatException TooShort(int length) =>
        new($"file is {length} bytes long, shorter than the {LengthPrefixSize}-byte header length that starts every safetensors file");
}
