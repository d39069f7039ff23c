using System.Collections.ObjectModel;
using System.Runtime.InteropServices;

namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// One named tensor as a safetensors file stores it: a dtype, a shape, and the raw
/// little-endian bytes of its elements in row-major (C) order.
/// </summary>
/// <remarks>
/// <para>
/// The constructor checks that <see cref="Data"/> holds exactly the bytes that
/// <see cref="Shape"/> and <see cref="SafetensorsDType"/> call for, so any entry that exists can be written.
/// The shape is copied; <see cref="Data"/> is not. An entry returned by
/// <see cref="SafetensorsReader.Read(ReadOnlyMemory{byte})"/> is a view into the caller's buffer and
/// is valid only while that buffer is kept unchanged.
/// </para>
/// <para>
/// Equality compares name, dtype, shape and bytes by value, so two entries read from
/// different copies of the same file are equal.
/// </para>
/// </remarks>
internal sealed record SafetensorsEntry
{
    /// <summary>
    /// The most dimensions a shape may have. libtorch's own limit; it also bounds what a
    /// hostile header can make the reader allocate for one shape.
    /// </summary>
    public const int MaxRank = 64;

    /// <summary>The header key that holds the file's metadata, which no tensor may use as its name.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly long[] shape;

    /// <summary>Creates an entry after checking that the data matches the shape and dtype.</summary>
    /// <param name="name">The tensor's name in the file: not empty, and not <see cref="MetadataKey"/>.</param>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">Dimensions, each non-negative; empty for a scalar. Copied.</param>
    /// <param name="data">
    /// Exactly product(<paramref name="shape"/>) × element size bytes, little-endian, row-major.
    /// Not copied: the caller must not change it while the entry is in use.
    /// </param>
    /// <exception cref="ArgumentException">
    /// The name is empty or reserved, a dimension is negative, the element count overflows a
    /// 64-bit integer, the shape has more than <see cref="MaxRank"/> dimensions, or the data has
    /// the wrong length.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public SafetensorsEntry(string name, SafetensorsDType dtype, long[] shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (name == MetadataKey)
        {
            throw new ArgumentException($"'{MetadataKey}' is reserved for the file's metadata and cannot name a tensor.", nameof(name));
        }

        var shapeProblem = DescribeShapeProblem(shape, dtype.ElementSize(), out long elementCount, out long byteLength);
        if (shapeProblem is not null)
        {
            throw new ArgumentException($"Tensor '{name}': {shapeProblem}.", nameof(shape));
        }

        if (data.Length != byteLength)
        {
            throw new ArgumentException(
                $"Tensor '{name}': shape {FormatShape(shape)} of {SafetensorsDTypes.ToFormatName(dtype)} needs {byteLength} bytes but the data has {data.Length}.",
                nameof(data));
        }

        Name = name;
        DType = dtype;
        this.shape = (long[])shape.Clone();
        Shape = new ReadOnlyCollection<long>(this.shape);
        Data = data;
        ElementCount = elementCount;
    }

    /// <summary>The tensor's name, unique within a file.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements' raw little-endian bytes in row-major order, exactly <see cref="ElementCount"/> × element size long.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>
    /// Creates an entry from typed values, copying them into a new little-endian byte buffer.
    /// </summary>
    /// <typeparam name="T">A CLR type with a matching dtype (see <see cref="SafetensorsDTypes.Of{T}"/>); bfloat16 goes through the constructor's raw bytes.</typeparam>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">Dimensions whose product equals the number of <paramref name="values"/>.</param>
    /// <param name="values">The elements in row-major order.</param>
    /// <exception cref="ArgumentException">As for the constructor.</exception>
    /// <exception cref="NotSupportedException">No dtype holds <typeparamref name="T"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">The host is big-endian.</exception>
    public static SafetensorsEntry FromValues<T>(string name, long[] shape, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var dtype = SafetensorsDTypes.Of<T>();
        EnsureLittleEndianHost();
        return new SafetensorsEntry(name, dtype, shape, MemoryMarshal.AsBytes(values).ToArray());
    }

    /// <summary>Copies the elements out as a new array of <typeparamref name="T"/>; the caller owns it.</summary>
    /// <typeparam name="T">The CLR type of <see cref="SafetensorsDType"/>, such as <see cref="float"/> for <see cref="SafetensorsDType.Float32"/>.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match <see cref="SafetensorsDType"/>.</exception>
    /// <exception cref="NotSupportedException">No dtype holds <typeparamref name="T"/>.</exception>
    /// <exception cref="PlatformNotSupportedException">The host is big-endian.</exception>
    public T[] ToArray<T>()
        where T : unmanaged
    {
        var requested = SafetensorsDTypes.Of<T>();
        if (requested != DType)
        {
            throw new InvalidOperationException($"Tensor '{Name}' holds {DType} elements, not {typeof(T).Name} ({requested}).");
        }

        EnsureLittleEndianHost();
        if (typeof(T) == typeof(bool))
        {
            // A file may hold any byte in a BOOL tensor; reinterpreting 2..255 as bool would make
            // values that are neither true nor false to the JIT, so normalize instead.
            var bytes = Data.Span;
            var flags = new bool[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                flags[i] = bytes[i] != 0;
            }

            return (T[])(object)flags;
        }

        // ToArray copies bytewise, so data at any alignment inside the file is fine.
        return MemoryMarshal.Cast<byte, T>(Data.Span).ToArray();
    }

    /// <summary>True when both entries have the same name, dtype, shape and bytes.</summary>
    /// <param name="other">The entry to compare with.</param>
    public bool Equals(SafetensorsEntry? other) =>
        other is not null
        && Name == other.Name
        && DType == other.DType
        && shape.AsSpan().SequenceEqual(other.shape)
        && Data.Span.SequenceEqual(other.Data.Span);

    /// <summary>A hash of name, dtype and shape; the bytes are left out to keep it cheap.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name, StringComparer.Ordinal);
        hash.Add(DType);
        foreach (long dimension in shape)
        {
            hash.Add(dimension);
        }

        return hash.ToHashCode();
    }

    /// <summary>A short description such as <c>w: F32 [2, 3] (24 bytes)</c>.</summary>
    public override string ToString() =>
        $"{Name}: {SafetensorsDTypes.ToFormatName(DType)} {FormatShape(shape)} ({Data.Length} bytes)";

    /// <summary>
    /// Checks a shape and computes its element count and byte length without overflowing.
    /// Shared by the constructor and the reader so both accept exactly the same shapes.
    /// </summary>
    /// <returns>Null when the shape is valid, otherwise what is wrong with it.</returns>
    internal static string? DescribeShapeProblem(ReadOnlySpan<long> shape, int elementSize, out long elementCount, out long byteLength)
    {
        elementCount = 0;
        byteLength = 0;
        if (shape.Length > MaxRank)
        {
            return $"shape has {shape.Length} dimensions; at most {MaxRank} are supported";
        }

        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                return $"shape[{i}] is {shape[i]}; dimensions must be non-negative";
            }

            // Checked left to right, as the reference implementation does, so a shape is
            // rejected when any prefix overflows even if a later dimension is zero.
            if (shape[i] != 0 && count > long.MaxValue / shape[i])
            {
                return $"shape {FormatShape(shape)} has more elements than a 64-bit count can hold";
            }

            count *= shape[i];
        }

        if (count > long.MaxValue / elementSize)
        {
            return $"shape {FormatShape(shape)} needs more bytes than a 64-bit length can hold";
        }

        elementCount = count;
        byteLength = count * elementSize;
        return null;
    }

    /// <summary>Formats a shape as the header writes it, such as <c>[2, 3]</c>.</summary>
    internal static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Typed access to safetensors data assumes a little-endian host.");
        }
    }
}
