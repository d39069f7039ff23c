namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// The element type of a tensor in a safetensors file: the format's dtypes that this codec reads
/// and writes (see <see cref="SafetensorsDTypes"/> for their header names and sizes). A property
/// of the bytes on the wire, independent of any tensor library.
/// </summary>
internal enum SafetensorsDType
{
    /// <summary>32-bit IEEE float (<c>F32</c>).</summary>
    Float32,
    /// <summary>16-bit IEEE half float (<c>F16</c>).</summary>
    Float16,
    /// <summary>16-bit brain float, 8 exponent bits (<c>BF16</c>).</summary>
    BFloat16,
    /// <summary>64-bit signed integer (<c>I64</c>).</summary>
    Int64,
    /// <summary>32-bit signed integer (<c>I32</c>).</summary>
    Int32,
    /// <summary>8-bit unsigned integer (<c>U8</c>).</summary>
    UInt8,
    /// <summary>Boolean stored as one byte (<c>BOOL</c>).</summary>
    Bool,
    /// <summary>64-bit IEEE float (<c>F64</c>).</summary>
    Float64,
    /// <summary>8-bit signed integer (<c>I8</c>).</summary>
    Int8,
    /// <summary>16-bit signed integer (<c>I16</c>).</summary>
    Int16,
}
