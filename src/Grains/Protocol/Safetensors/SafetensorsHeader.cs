namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// A parsed safetensors header before its offsets are checked against the data buffer:
/// the tensors in header order and the metadata.
/// </summary>
internal sealed record SafetensorsHeader(IReadOnlyList<SafetensorsHeader.Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>
    /// One tensor's header entry. <paramref name="ByteLength"/> is what the shape and dtype
    /// need, computed without overflow; <paramref name="Begin"/> and <paramref name="End"/> are
    /// non-negative with Begin &lt;= End but not yet checked against the buffer.
    /// </summary>
    internal readonly record struct Tensor(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End, long ByteLength);
}
