namespace FedDistill.Torch.Serialization;

/// <summary>
/// The one mapping between <see cref="DType"/> and the dtype strings of the safetensors header,
/// so that the reader and the writer cannot disagree.
/// </summary>
internal static class SafetensorsDTypes
{
    // Ordinal and case-sensitive: the format's names are exact ("f32" is not a dtype).
    private static readonly Dictionary<string, DType> ByFormatName = new(StringComparer.Ordinal)
    {
        ["F32"] = DType.Float32,
        ["F16"] = DType.Float16,
        ["BF16"] = DType.BFloat16,
        ["I64"] = DType.Int64,
        ["I32"] = DType.Int32,
        ["U8"] = DType.UInt8,
        ["BOOL"] = DType.Bool,
        ["F64"] = DType.Float64,
        ["I8"] = DType.Int8,
        ["I16"] = DType.Int16,
    };

    /// <summary>The dtype strings this codec reads and writes, for error messages.</summary>
    public static string SupportedNames { get; } = string.Join(", ", ByFormatName.Keys.Order(StringComparer.Ordinal));

    /// <summary>The header's name for <paramref name="dtype"/>, such as <c>F32</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> is not a defined value.</exception>
    public static string ToFormatName(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float16 => "F16",
        DType.BFloat16 => "BF16",
        DType.Int64 => "I64",
        DType.Int32 => "I32",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        DType.Float64 => "F64",
        DType.Int8 => "I8",
        DType.Int16 => "I16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown dtype."),
    };

    /// <summary>Looks up a header dtype string; false for names this codec does not support.</summary>
    public static bool TryParse(string formatName, out DType dtype) =>
        ByFormatName.TryGetValue(formatName, out dtype);
}
