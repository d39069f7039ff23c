using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

/// <summary>
/// Checks the codec against golden/golden.safetensors, built by hand by golden/make_golden.py
/// (Python standard library only) with the same layout as <see cref="SafetensorsWriter"/>.
/// </summary>
public sealed class SafetensorsGoldenTests
{
    [Fact]
    public void Reader_reads_every_value_of_the_Python_made_golden_file()
    {
        var document = SafetensorsReader.ReadFile(SafetensorsTestFiles.GoldenPath);

        Assert.Equal(12, document.Count);
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["producer"] = "make_golden.py" }, document.Metadata);

        AssertTensor(document, "weight", SafetensorsDType.Float32, [2, 3]);
        Assert.Equal([1.0f, -2.5f, 0.125f, 1024.0f, 3.5f, -0.75f], document["weight"].ToArray<float>());
        AssertTensor(document, "bias", SafetensorsDType.Float32, [3]);
        Assert.Equal([0.5f, -1.0f, 2.0f], document["bias"].ToArray<float>());
        AssertTensor(document, "empty", SafetensorsDType.Float32, [0, 4]);
        Assert.Empty(document["empty"].ToArray<float>());
        AssertTensor(document, "labels", SafetensorsDType.Int64, [4]);
        Assert.Equal([0L, 9L, -1L, 1L << 40], document["labels"].ToArray<long>());
        AssertTensor(document, "temperature", SafetensorsDType.Float64, []);
        Assert.Equal([2.0], document["temperature"].ToArray<double>());
        AssertTensor(document, "counts", SafetensorsDType.Int32, [2]);
        Assert.Equal([7, int.MinValue], document["counts"].ToArray<int>());
        AssertTensor(document, "half", SafetensorsDType.Float16, [3]);
        Assert.Equal([(Half)1.0, (Half)(-0.5), Half.MaxValue], document["half"].ToArray<Half>());
        AssertTensor(document, "brain", SafetensorsDType.BFloat16, [2]);
        Assert.Equal([1.0f, -3.0f], BFloat16ToSingle(document["brain"].Data.Span));
        AssertTensor(document, "shorts", SafetensorsDType.Int16, [2]);
        Assert.Equal([short.MinValue, (short)12345], document["shorts"].ToArray<short>());
        AssertTensor(document, "mask", SafetensorsDType.Bool, [4]);
        Assert.Equal([true, false, false, true], document["mask"].ToArray<bool>());
        AssertTensor(document, "pixels", SafetensorsDType.UInt8, [2, 2]);
        Assert.Equal([(byte)0, (byte)255, (byte)128, (byte)7], document["pixels"].ToArray<byte>());
        AssertTensor(document, "deltas", SafetensorsDType.Int8, [3]);
        Assert.Equal([sbyte.MinValue, (sbyte)0, sbyte.MaxValue], document["deltas"].ToArray<sbyte>());
    }

    [Fact]
    public void Reader_lists_the_golden_tensors_in_file_order()
    {
        var document = SafetensorsReader.ReadFile(SafetensorsTestFiles.GoldenPath);

        Assert.Equal(
            ["labels", "temperature", "bias", "counts", "empty", "weight", "brain", "half", "shorts", "deltas", "mask", "pixels"],
            document.Entries.Select(entry => entry.Name));
    }

    [Fact]
    public void Writer_produces_the_golden_file_byte_for_byte()
    {
        // Deliberately not in file order: the writer must sort as make_golden.py does.
        SafetensorsEntry[] entries =
        [
            SafetensorsEntry.FromValues<float>("weight", [2, 3], [1.0f, -2.5f, 0.125f, 1024.0f, 3.5f, -0.75f]),
            SafetensorsEntry.FromValues<float>("bias", [3], [0.5f, -1.0f, 2.0f]),
            SafetensorsEntry.FromValues<float>("empty", [0, 4], []),
            SafetensorsEntry.FromValues<long>("labels", [4], [0, 9, -1, 1L << 40]),
            SafetensorsEntry.FromValues<double>("temperature", [], [2.0]),
            SafetensorsEntry.FromValues<int>("counts", [2], [7, int.MinValue]),
            SafetensorsEntry.FromValues<Half>("half", [3], [(Half)1.0, (Half)(-0.5), Half.MaxValue]),
            new SafetensorsEntry("brain", SafetensorsDType.BFloat16, [2], new byte[] { 0x80, 0x3F, 0x40, 0xC0 }),
            SafetensorsEntry.FromValues<short>("shorts", [2], [short.MinValue, 12345]),
            SafetensorsEntry.FromValues<bool>("mask", [4], [true, false, false, true]),
            SafetensorsEntry.FromValues<byte>("pixels", [2, 2], [0, 255, 128, 7]),
            SafetensorsEntry.FromValues<sbyte>("deltas", [3], [sbyte.MinValue, 0, sbyte.MaxValue]),
        ];
        var metadata = new Dictionary<string, string> { ["producer"] = "make_golden.py", ["format"] = "pt" };

        var written = SafetensorsWriter.ToBytes(entries, metadata);

        Assert.Equal(File.ReadAllBytes(SafetensorsTestFiles.GoldenPath), written);
    }

    [Fact]
    public void Rewriting_the_golden_file_reproduces_it_exactly()
    {
        var golden = File.ReadAllBytes(SafetensorsTestFiles.GoldenPath);
        var document = SafetensorsReader.Read(golden);

        Assert.Equal(golden, SafetensorsWriter.ToBytes(document.Entries, document.Metadata));
    }

    [Fact]
    public void Golden_file_is_tiny()
    {
        Assert.InRange(new FileInfo(SafetensorsTestFiles.GoldenPath).Length, 16, 2048);
    }

    private static void AssertTensor(SafetensorsDocument document, string name, SafetensorsDType dtype, long[] shape)
    {
        var entry = document[name];
        Assert.Equal(dtype, entry.DType);
        Assert.Equal(shape, entry.Shape);
    }

    private static float[] BFloat16ToSingle(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / 2];
        for (int i = 0; i < values.Length; i++)
        {
            // bfloat16 is the upper half of a float32.
            int bits = (bytes[2 * i] | (bytes[(2 * i) + 1] << 8)) << 16;
            values[i] = BitConverter.Int32BitsToSingle(bits);
        }

        return values;
    }
}
