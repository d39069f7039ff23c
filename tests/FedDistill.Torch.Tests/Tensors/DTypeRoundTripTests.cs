namespace FedDistill.Torch.Tests.Tensors;

public sealed class DTypeRoundTripTests
{
    [Fact]
    public void Float32_values_round_trip_bit_for_bit()
    {
        float[] values = [0f, -0f, 1.5f, -3.25e-8f, float.MaxValue, float.Epsilon, float.PositiveInfinity];
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.Float32, tensor.DType);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), tensor.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Float64_values_round_trip_bit_for_bit()
    {
        double[] values = [Math.PI, -1e-300, double.MaxValue, 0.1];
        using var tensor = Tensor.FromArray(values, 2, 2);
        Assert.Equal(DType.Float64, tensor.DType);
        Assert.Equal(values, tensor.ToArray<double>());
    }

    [Fact]
    public void Half_values_round_trip_and_convert_to_float32_exactly()
    {
        Half[] values = [(Half)1.5, (Half)(-2), (Half)65504, (Half)0.000061035156]; // 65504 is Half.MaxValue; 2^-14 the smallest normal
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.Float16, tensor.DType);
        Assert.Equal(2, tensor.DType.ElementSize());
        Assert.Equal(values, tensor.ToArray<Half>());
        using var widened = tensor.To(DType.Float32);
        Assert.Equal(new float[] { 1.5f, -2f, 65504f, MathF.Pow(2, -14) }, widened.ToArray<float>());
    }

    [Fact]
    public void Int64_values_round_trip_including_the_extremes()
    {
        long[] values = [long.MinValue, -1, 0, long.MaxValue];
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.Int64, tensor.DType);
        Assert.Equal(values, tensor.ToArray<long>());
    }

    [Fact]
    public void Int32_values_round_trip_including_the_extremes()
    {
        int[] values = [int.MinValue, -7, 0, int.MaxValue];
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.Int32, tensor.DType);
        Assert.Equal(values, tensor.ToArray<int>());
    }

    [Fact]
    public void UInt8_values_round_trip()
    {
        byte[] values = [0, 1, 127, 128, 255];
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.UInt8, tensor.DType);
        Assert.Equal(values, tensor.ToArray<byte>());
    }

    [Fact]
    public void Bool_values_round_trip_and_count_as_ones_when_summed()
    {
        bool[] values = [true, false, true, true];
        using var tensor = Tensor.FromArray(values);
        Assert.Equal(DType.Bool, tensor.DType);
        Assert.Equal(values, tensor.ToArray<bool>());
        using var count = tensor.Sum();
        Assert.Equal(3.0, count.Item());
    }

    [Fact]
    public void BFloat16_of_one_is_0x3F80_through_raw_bytes()
    {
        using var one = Tensor.Ones([1]);
        using var bf16 = one.To(DType.BFloat16);
        Assert.Equal(DType.BFloat16, bf16.DType);
        Assert.Equal(new byte[] { 0x80, 0x3F }, bf16.ToBytes()); // little-endian 0x3F80
    }

    [Fact]
    public void BFloat16_bytes_round_trip_and_widen_to_the_float32_with_the_same_upper_bits()
    {
        // bfloat16 is the upper half of a float32: 0x3F80 = 1.0, 0xC040 = -3.0, 0x3E20 = 0.15625, 0x7F80 = +inf.
        byte[] bytes = [0x80, 0x3F, 0x40, 0xC0, 0x20, 0x3E, 0x80, 0x7F];
        using var tensor = Tensor.FromBytes(bytes, DType.BFloat16, [2, 2]);
        Assert.Equal(new long[] { 2, 2 }, tensor.Shape);
        Assert.Equal(bytes, tensor.ToBytes());
        using var widened = tensor.To(DType.Float32);
        Assert.Equal(new float[] { 1f, -3f, 0.15625f, float.PositiveInfinity }, widened.ToArray<float>());
    }

    [Fact]
    public void ToBytes_of_float32_is_the_little_endian_ieee_encoding()
    {
        using var tensor = Tensor.FromArray(new float[] { 1f, -2f });
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 }, tensor.ToBytes());
    }

    [Fact]
    public void Converting_float_to_integer_truncates_toward_zero()
    {
        using var values = Tensor.FromArray(new float[] { -1.7f, -0.2f, 0.9f, 2.5f });
        using var integers = values.To(DType.Int64);
        Assert.Equal(new long[] { -1, 0, 0, 2 }, integers.ToArray<long>());
    }

    [Fact]
    public void Int8_and_Int16_round_trip()
    {
        using var int8 = Tensor.FromArray(new sbyte[] { -128, 0, 127 });
        using var int16 = Tensor.FromArray(new short[] { short.MinValue, 3, short.MaxValue });
        Assert.Equal(DType.Int8, int8.DType);
        Assert.Equal(DType.Int16, int16.DType);
        Assert.Equal(new sbyte[] { -128, 0, 127 }, int8.ToArray<sbyte>());
        Assert.Equal(new short[] { short.MinValue, 3, short.MaxValue }, int16.ToArray<short>());
    }
}
