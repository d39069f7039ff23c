namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// The one mapping between <see cref="SafetensorsDType"/> and the dtype strings of the safetensors header,
/// so that the reader and the writer cannot disagree; and each dtype's element size and CLR counterpart.
/// </summary>
internal static class SafetensorsDTypes
{
    // Ordinal and case-sensitive: the format's names are exact ("f32" is not a dtype).
    private static readonly Dictionary<string, SafetensorsDType> ByFormatName = new(StringComparer.Ordinal)
    {
        ["F32"] = SafetensorsDType.Float32,
        ["F16"] = SafetensorsDType.Float16,
        ["BF16"] = SafetensorsDType.BFloat16,
        ["I64"] = SafetensorsDType.Int64,
        ["I32"] = SafetensorsDType.Int32,
        ["U8"] = SafetensorsDType.UInt8,
        ["BOOL"] = SafetensorsDType.Bool,
        ["F64"] = SafetensorsDType.Float64,
        ["I8"] = SafetensorsDType.Int8,
        ["I16"] = SafetensorsDType.Int16,
    };

    /// <summary>The dtype strings this codec reads and writes, for error messages.</summary>
    public static string SupportedNames { get; } = string.Join(", ", ByFormatName.Keys.Order(StringComparer.Ordinal));

    /// <summary>The header's name for <paramref name="dtype"/>, such as <c>F32</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string ToFormatName(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.Float32 => "F32",
        SafetensorsDType.Float16 => "F16",
        SafetensorsDType.BFloat16 => "BF16",
        SafetensorsDType.Int64 => "I64",
        SafetensorsDType.Int32 => "I32",
        SafetensorsDType.UInt8 => "U8",
        SafetensorsDType.Bool => "BOOL",
        SafetensorsDType.Float64 => "F64",
        SafetensorsDType.Int8 => "I8",
        SafetensorsDType.Int16 => "I16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Looks up a header dtype string; false for names this codec does not support.</summary>
    public static bool TryParse(string formatName, out SafetensorsDType dtype) =>
        ByFormatName.TryGetValue(formatName, out dtype);

    /// <summary>Size of one element in bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.Float32 or SafetensorsDType.Int32 => 4,
        SafetensorsDType.Float16 or SafetensorsDType.BFloat16 or SafetensorsDType.Int16 => 2,
        SafetensorsDType.Int64 or SafetensorsDType.Float64 => 8,
        SafetensorsDType.UInt8 or SafetensorsDType.Bool or SafetensorsDType.Int8 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>The dtype whose elements a CLR type <typeparamref name="T"/> holds.</summary>
    /// <exception cref="NotSupportedException">No dtype matches <typeparamref name="T"/>.</exception>
    public static SafetensorsDType Of<T>()
        where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return SafetensorsDType.Float32;
        if (typeof(T) == typeof(Half)) return SafetensorsDType.Float16;
        if (typeof(T) == typeof(long)) return SafetensorsDType.Int64;
        if (typeof(T) == typeof(int)) return SafetensorsDType.Int32;
        if (typeof(T) == typeof(byte)) return SafetensorsDType.UInt8;
        if (typeof(T) == typeof(bool)) return SafetensorsDType.Bool;
        if (typeof(T) == typeof(double)) return SafetensorsDType.Float64;
        if (typeof(T) == typeof(sbyte)) return SafetensorsDType.Int8;
        if (typeof(T) == typeof(short)) return SafetensorsDType.Int16;
        throw new NotSupportedException($"No safetensors dtype holds elements of type {typeof(T).Name}; bfloat16 data goes through raw bytes.");
    }
}
