using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

public sealed class SafetensorsEntryTests
{
    [Fact]
    public void Entry_rejects_data_whose_length_does_not_match_the_shape()
    {
        var exception = Assert.Throws<ArgumentException>(() => new SafetensorsEntry("w", SafetensorsDType.Float32, [2, 3], new byte[20]));

        Assert.Contains("Tensor 'w': shape [2, 3] of F32 needs 24 bytes but the data has 20", exception.Message);
    }

    [Fact]
    public void Entry_rejects_a_negative_dimension()
    {
        var exception = Assert.Throws<ArgumentException>(() => new SafetensorsEntry("w", SafetensorsDType.Float32, [2, -1], new byte[8]));

        Assert.Contains("shape[1] is -1; dimensions must be non-negative", exception.Message);
    }

    [Fact]
    public void Entry_rejects_a_shape_whose_element_count_overflows()
    {
        var exception = Assert.Throws<ArgumentException>(() => new SafetensorsEntry("w", SafetensorsDType.UInt8, [1L << 32, 1L << 32], ReadOnlyMemory<byte>.Empty));

        Assert.Contains("more elements than a 64-bit count can hold", exception.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("__metadata__")]
    public void Entry_rejects_an_empty_or_reserved_name(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new SafetensorsEntry(name, SafetensorsDType.Float32, [1], new byte[4]));
    }

    [Fact]
    public void Entry_keeps_its_own_copy_of_the_shape()
    {
        long[] shape = [2, 2];
        var entry = new SafetensorsEntry("w", SafetensorsDType.UInt8, shape, new byte[4]);

        shape[0] = 100;

        Assert.Equal([2L, 2L], entry.Shape);
        Assert.Equal(4, entry.ElementCount);
    }

    [Fact]
    public void Entries_with_the_same_name_dtype_shape_and_bytes_are_equal()
    {
        var first = new SafetensorsEntry("w", SafetensorsDType.Int16, [2], new byte[] { 1, 2, 3, 4 });
        var second = new SafetensorsEntry("w", SafetensorsDType.Int16, [2], new byte[] { 1, 2, 3, 4 });
        var otherBytes = new SafetensorsEntry("w", SafetensorsDType.Int16, [2], new byte[] { 1, 2, 3, 5 });
        var otherShape = new SafetensorsEntry("w", SafetensorsDType.Int16, [1, 2], new byte[] { 1, 2, 3, 4 });

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.NotEqual(first, otherBytes);
        Assert.NotEqual(first, otherShape);
    }

    [Fact]
    public void ToArray_rejects_a_type_that_does_not_match_the_dtype()
    {
        var entry = SafetensorsEntry.FromValues<float>("w", [1], [1f]);

        var exception = Assert.Throws<InvalidOperationException>(() => entry.ToArray<int>());

        Assert.Contains("holds Float32 elements, not Int32", exception.Message);
    }

    [Fact]
    public void ToArray_reads_any_non_zero_byte_of_a_bool_tensor_as_true()
    {
        var entry = new SafetensorsEntry("mask", SafetensorsDType.Bool, [4], new byte[] { 0, 1, 2, 255 });

        Assert.Equal([false, true, true, true], entry.ToArray<bool>());
    }

    [Fact]
    public void ToArray_reads_values_at_an_unaligned_offset()
    {
        var buffer = new byte[9];
        BitConverter.TryWriteBytes(buffer.AsSpan(1), 1.25);
        var entry = new SafetensorsEntry("x", SafetensorsDType.Float64, [], buffer.AsMemory(1));

        Assert.Equal([1.25], entry.ToArray<double>());
    }

    [Fact]
    public void ToString_names_the_tensor_dtype_shape_and_size()
    {
        var entry = new SafetensorsEntry("w", SafetensorsDType.Float32, [2, 3], new byte[24]);

        Assert.Equal("w: F32 [2, 3] (24 bytes)", entry.ToString());
    }
}
