using System.Text.Json;

namespace FedDistill.Torch.Tests.Reference;

/// <summary>A tensor as make_reference.py writes it: shape, dtype name and row-major values.</summary>
internal sealed record ReferenceTensor(long[] Shape, string DType, double[] Data)
{
    public static ReferenceTensor Parse(JsonElement element)
    {
        var shape = element.GetProperty("shape").EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var dtype = element.TryGetProperty("dtype", out var name) ? name.GetString()! : "float32";
        var data = element.GetProperty("data").EnumerateArray().Select(value => value.GetDouble()).ToArray();
        return new ReferenceTensor(shape, dtype, data);
    }

    /// <summary>The values as float32, exactly as PyTorch held them (they were written from float32).</summary>
    public float[] Floats => Data.Select(value => (float)value).ToArray();

    /// <summary>The values as int64 (class labels, indices).</summary>
    public long[] Longs => Data.Select(value => checked((long)value)).ToArray();

    /// <summary>The single value of a 0-dimensional reference (a loss).</summary>
    public double Scalar => Data.Length == 1 ? Data[0] : throw new InvalidOperationException($"Reference holds {Data.Length} values, not one.");

    /// <summary>A new tensor holding these values with PyTorch's dtype (float32 or int64); the caller owns it.</summary>
    public Tensor ToTensor() => DType switch
    {
        "float32" => Tensor.FromSpan<float>(Floats, Shape),
        "int64" => Tensor.FromSpan<long>(Longs, Shape),
        _ => throw new NotSupportedException($"Reference dtype {DType}."),
    };
}
