namespace FedDistill.Torch;

/// <summary>
/// Element type of a <see cref="Tensor"/>. The numeric values are the native ABI's
/// (<c>fd_dtype</c> in feddistill_torch.h) and must not change without bumping the ABI version.
/// </summary>
public enum DType
{
    /// <summary>32-bit IEEE float.</summary>
    Float32 = 0,
    /// <summary>16-bit IEEE half float.</summary>
    Float16 = 1,
    /// <summary>16-bit brain float (8 exponent bits).</summary>
    BFloat16 = 2,
    /// <summary>64-bit signed integer; the type of class labels and indices.</summary>
    Int64 = 3,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 4,
    /// <summary>8-bit unsigned integer.</summary>
    UInt8 = 5,
    /// <summary>Boolean stored as one byte.</summary>
    Bool = 6,
    /// <summary>64-bit IEEE float.</summary>
    Float64 = 7,
    /// <summary>8-bit signed integer.</summary>
    Int8 = 8,
    /// <summary>16-bit signed integer.</summary>
    Int16 = 9,
}
