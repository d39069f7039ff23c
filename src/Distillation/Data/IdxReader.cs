using System.Buffers.Binary;
using System.IO.Compression;

namespace FedDistill.Distillation.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST: a big-endian header (magic number, then one
/// 32-bit size per dimension) followed by unsigned bytes. Files may be gzip-compressed or raw;
/// compression is detected from the gzip magic bytes <c>1f 8b</c>, not from the file name.
/// </summary>
/// <remarks>
/// Validation is strict because a silently short or misaligned file would train on garbage:
/// every problem raises <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions: count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension: count).</summary>
    public const int LabelsMagic = 0x00000801;

    private const int ReadBufferSize = 1 << 16;

    /// <summary>Reads an IDX image file (gzip-compressed or raw).</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The images; the caller owns the returned pixel array.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var file = OpenFile(path);
        return ReadImages(file, path);
    }

    /// <summary>Reads IDX images from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The IDX data, gzip-compressed or raw, starting at the current position.</param>
    /// <param name="sourceName">The name used in error messages, usually the file path.</param>
    /// <returns>The images; the caller owns the returned pixel array.</returns>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX image file.</exception>
    public static IdxImages ReadImages(Stream stream, string sourceName) =>
        ReadPayload(stream, sourceName, payload =>
        {
            Span<byte> header = stackalloc byte[16];
            ReadHeader(payload, header, sourceName);
            CheckMagic(header, ImagesMagic, sourceName);
            int count = ReadDimension(header[4..], sourceName, "image count");
            int rows = ReadDimension(header[8..], sourceName, "row count");
            int columns = ReadDimension(header[12..], sourceName, "column count");
            if (rows == 0 || columns == 0)
            {
                throw new InvalidDataException(
                    $"'{sourceName}': the images have an empty size of {rows}x{columns} pixels.");
            }

            long length = (long)count * rows * columns;
            if (length > Array.MaxLength)
            {
                throw new InvalidDataException(
                    $"'{sourceName}': {count} images of {rows}x{columns} pixels are more than one array can hold.");
            }

            var pixels = new byte[length];
            ReadBody(payload, pixels, sourceName, $"{count} images of {rows}x{columns} pixels");
            return new IdxImages(count, rows, columns, pixels);
        });

    /// <summary>Reads an IDX label file (gzip-compressed or raw).</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>One byte per label; the caller owns the array.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var file = OpenFile(path);
        return ReadLabels(file, path);
    }

    /// <summary>Reads IDX labels from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The IDX data, gzip-compressed or raw, starting at the current position.</param>
    /// <param name="sourceName">The name used in error messages, usually the file path.</param>
    /// <returns>One byte per label; the caller owns the array.</returns>
    /// <exception cref="InvalidDataException">The data is not a well-formed IDX label file.</exception>
    public static byte[] ReadLabels(Stream stream, string sourceName) =>
        ReadPayload(stream, sourceName, payload =>
        {
            Span<byte> header = stackalloc byte[8];
            ReadHeader(payload, header, sourceName);
            CheckMagic(header, LabelsMagic, sourceName);
            int count = ReadDimension(header[4..], sourceName, "label count");
            var labels = new byte[count];
            ReadBody(payload, labels, sourceName, $"{count} labels");
            return labels;
        });

    /// <summary>
    /// Reads a pair of IDX image and label files into a labeled <see cref="Dataset"/> with
    /// examples of shape <c>[1, rows, columns]</c> (one grey channel) and pixels scaled from
    /// 0..255 to [0, 1].
    /// </summary>
    /// <param name="imagesPath">The IDX image file.</param>
    /// <param name="labelsPath">The IDX label file with one label per image.</param>
    /// <param name="classCount">Number of classes; every label must be below it.</param>
    /// <param name="classNames">Optional class names, <paramref name="classCount"/> of them.</param>
    /// <returns>A new dataset that owns its arrays.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is malformed, the counts of images and labels differ, or a label is out of range.
    /// </exception>
    public static Dataset ReadImageDataset(
        string imagesPath, string labelsPath, int classCount, IReadOnlyList<string>? classNames = null)
    {
        IdxImages images = ReadImages(imagesPath);
        byte[] labelBytes = ReadLabels(labelsPath);
        if (images.Count != labelBytes.Length)
        {
            throw new InvalidDataException(
                $"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labelBytes.Length} labels.");
        }

        var labels = new int[labelBytes.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labelBytes[i] >= classCount)
            {
                throw new InvalidDataException(
                    $"'{labelsPath}': label {labelBytes[i]} of example {i} is outside [0, {classCount}).");
            }

            labels[i] = labelBytes[i];
        }

        return new Dataset(
            ScalePixels(images.Pixels), [1, images.Rows, images.Columns], labels, classCount, classNames);
    }

    /// <summary>Maps bytes 0..255 to floats in [0, 1] as <c>value / 255f</c>.</summary>
    internal static float[] ScalePixels(ReadOnlySpan<byte> pixels)
    {
        // A 256-entry table is exact (the same float as value / 255f) and cheaper than a division per pixel.
        Span<float> table = stackalloc float[256];
        for (int value = 0; value < table.Length; value++)
        {
            table[value] = value / 255f;
        }

        var scaled = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            scaled[i] = table[pixels[i]];
        }

        return scaled;
    }

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferSize);
    }

    private static T ReadPayload<T>(Stream stream, string sourceName, Func<Stream, T> read)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream is not readable.", nameof(stream));
        }

        // Detecting gzip needs a peek at two bytes; a stream that cannot seek back is buffered first.
        using MemoryStream? buffered = stream.CanSeek ? null : CopyToMemory(stream);
        Stream source = buffered ?? stream;
        long start = source.Position;
        Span<byte> magic = stackalloc byte[2];
        int peeked = source.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        source.Position = start;

        if (peeked == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            using var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            return read(gzip);
        }

        return read(source);
    }

    private static MemoryStream CopyToMemory(Stream stream)
    {
        var memory = new MemoryStream();
        stream.CopyTo(memory);
        memory.Position = 0;
        return memory;
    }

    private static void ReadHeader(Stream payload, Span<byte> header, string sourceName)
    {
        int read = ReadFully(payload, header, sourceName);
        if (read < header.Length)
        {
            throw new InvalidDataException(
                $"'{sourceName}': truncated: the IDX header needs {header.Length} bytes but only {read} are present.");
        }
    }

    private static void CheckMagic(ReadOnlySpan<byte> header, int expected, string sourceName)
    {
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic == expected)
        {
            return;
        }

        string expectedKind = Describe(expected);
        string actualKind = magic is ImagesMagic or LabelsMagic ? $" ({Describe(magic)})" : string.Empty;
        throw new InvalidDataException(
            $"'{sourceName}': bad magic number 0x{magic:X8}{actualKind}; expected 0x{expected:X8} ({expectedKind}).");
    }

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => "IDX images: unsigned bytes, 3 dimensions",
        LabelsMagic => "IDX labels: unsigned bytes, 1 dimension",
        _ => "unknown",
    };

    private static int ReadDimension(ReadOnlySpan<byte> bytes, string sourceName, string what)
    {
        uint value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (value > int.MaxValue)
        {
            throw new InvalidDataException($"'{sourceName}': the {what} {value} in the header is implausibly large.");
        }

        return (int)value;
    }

    private static void ReadBody(Stream payload, byte[] body, string sourceName, string declared)
    {
        int read = ReadFully(payload, body, sourceName);
        if (read < body.Length)
        {
            throw new InvalidDataException(
                $"'{sourceName}': truncated: the header declares {declared} ({body.Length} bytes) " +
                $"but only {read} bytes follow the header.");
        }

        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(payload, extra, sourceName) != 0)
        {
            throw new InvalidDataException(
                $"'{sourceName}': unexpected bytes after the {declared} the header declares.");
        }
    }

    private static int ReadFully(Stream payload, Span<byte> buffer, string sourceName)
    {
        try
        {
            return payload.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException exception)
        {
            // GZipStream's message does not say which file was corrupt.
            throw new InvalidDataException($"'{sourceName}': corrupt gzip data: {exception.Message}", exception);
        }
    }
}
