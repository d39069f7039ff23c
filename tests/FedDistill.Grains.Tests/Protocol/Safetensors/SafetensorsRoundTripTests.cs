using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FedDistill.Grains.Protocol.Safetensors;
using static FedDistill.Grains.Tests.Protocol.Safetensors.SafetensorsTestFiles;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

public sealed class SafetensorsRoundTripTests
{
    [Fact]
    public void Round_trip_keeps_every_dtype_shape_and_value()
    {
        var entries = MixedEntries();

        var document = SafetensorsReader.Read(SafetensorsWriter.ToBytes(entries));

        Assert.Equal(entries.Length, document.Count);
        foreach (var entry in entries)
        {
            Assert.Equal(entry, document[entry.Name]);
        }

        Assert.Equal([0.5f, -1f, 2f, 3.25f, 1e-7f, float.MaxValue], document["logits"].ToArray<float>());
        Assert.Equal([long.MinValue, 0, long.MaxValue], document["labels"].ToArray<long>());
        Assert.Equal([Math.PI], document["temperature"].ToArray<double>());
        Assert.Equal([true, false, true], document["mask"].ToArray<bool>());
        Assert.Equal([(Half)1.5, (Half)(-2)], document["half"].ToArray<Half>());
    }

    [Fact]
    public void Round_trip_keeps_a_scalar_as_shape_without_dimensions()
    {
        var scalar = SafetensorsEntry.FromValues<double>("temperature", [], [4.0]);

        var read = SafetensorsReader.Read(SafetensorsWriter.ToBytes([scalar]))["temperature"];

        Assert.Empty(read.Shape);
        Assert.Equal(1, read.ElementCount);
        Assert.Equal([4.0], read.ToArray<double>());
        Assert.Contains("\"shape\":[]", HeaderText(SafetensorsWriter.ToBytes([scalar])));
    }

    [Fact]
    public void Round_trip_keeps_zero_element_tensors_and_their_shapes()
    {
        var entries = new[]
        {
            new SafetensorsEntry("rows", SafetensorsDType.Float32, [0, 3], ReadOnlyMemory<byte>.Empty),
            new SafetensorsEntry("columns", SafetensorsDType.Int64, [5, 0], ReadOnlyMemory<byte>.Empty),
            SafetensorsEntry.FromValues<float>("between", [1], [9f]),
        };

        var document = SafetensorsReader.Read(SafetensorsWriter.ToBytes(entries));

        Assert.Equal([0L, 3L], document["rows"].Shape);
        Assert.Equal([5L, 0L], document["columns"].Shape);
        Assert.Equal(0, document["rows"].ElementCount);
        Assert.Empty(document["columns"].ToArray<long>());
        Assert.Equal([9f], document["between"].ToArray<float>());
    }

    [Fact]
    public void Round_trip_keeps_metadata_including_escapes_and_non_ASCII_text()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["note"] = "température \"quoted\" \\ back\nslash\ttab \u0001",
            ["emoji"] = "🦀",
            [""] = "",
        };

        var document = SafetensorsReader.Read(SafetensorsWriter.ToBytes(MixedEntries(), metadata));

        Assert.Equal(metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal), document.Metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Round_trip_keeps_names_with_JSON_special_and_non_ASCII_characters()
    {
        string[] names = ["layer.0/weight", "quote\"and\\slash", "température", "日本", "__metadata", " "];
        var entries = names.Select((name, i) => SafetensorsEntry.FromValues<int>(name, [1], [i])).ToArray();

        var document = SafetensorsReader.Read(SafetensorsWriter.ToBytes(entries));

        Assert.Equal(names.Order(StringComparer.Ordinal), document.Entries.Select(entry => entry.Name));
        Assert.Equal([2], document["température"].ToArray<int>());
    }

    [Fact]
    public void Round_trip_of_no_tensors_is_an_empty_object_padded_to_eight_bytes()
    {
        var file = SafetensorsWriter.ToBytes([]);

        Assert.Equal(16, file.Length);
        Assert.Equal("{}      ", HeaderText(file));
        var document = SafetensorsReader.Read(file);
        Assert.Equal(0, document.Count);
        Assert.Empty(document.Metadata);
    }

    [Fact]
    public void Writer_leaves_out_metadata_when_there_is_none()
    {
        var withEmpty = SafetensorsWriter.ToBytes(MixedEntries(), new Dictionary<string, string>());
        var withNull = SafetensorsWriter.ToBytes(MixedEntries());

        Assert.Equal(withNull, withEmpty);
        Assert.DoesNotContain("__metadata__", HeaderText(withNull));
    }

    [Fact]
    public void Writer_output_does_not_depend_on_the_order_of_the_entries()
    {
        var entries = MixedEntries();
        var reversed = entries.Reverse().ToArray();
        var shuffled = entries.OrderBy(entry => entry.Name.GetHashCode(StringComparison.Ordinal)).ToArray();

        Assert.Equal(SafetensorsWriter.ToBytes(entries), SafetensorsWriter.ToBytes(reversed));
        Assert.Equal(SafetensorsWriter.ToBytes(entries), SafetensorsWriter.ToBytes(shuffled));
    }

    [Fact]
    public void Writer_pads_the_header_so_every_tensor_is_aligned_to_its_element_size()
    {
        var file = SafetensorsWriter.ToBytes(MixedEntries());

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, headerLength % 8);
        Assert.EndsWith("}", HeaderText(file).TrimEnd(' '));
        foreach (var entry in SafetensorsReader.Read(file).Entries)
        {
            Assert.True(MemoryMarshal.TryGetArray(entry.Data, out var segment));
            Assert.Equal(0, segment.Offset % entry.DType.ElementSize());
        }
    }

    [Fact]
    public void Writer_orders_tensors_by_element_size_then_name()
    {
        var document = SafetensorsReader.Read(SafetensorsWriter.ToBytes(MixedEntries()));

        Assert.Equal(
            ["labels", "temperature", "counts", "logits", "half", "raw_bf16", "shorts", "bytes", "mask", "signed"],
            document.Entries.Select(entry => entry.Name));
    }

    [Fact]
    public void Reader_returns_views_of_the_input_without_copying()
    {
        var file = SafetensorsWriter.ToBytes(MixedEntries());

        var entry = SafetensorsReader.Read(file)["logits"];

        Assert.True(MemoryMarshal.TryGetArray(entry.Data, out var segment));
        Assert.Same(file, segment.Array);
    }

    [Fact]
    public void Stream_round_trip_matches_the_bytes_from_ToBytes()
    {
        var metadata = new Dictionary<string, string> { ["round"] = "3" };
        using var stream = new MemoryStream();

        SafetensorsWriter.Write(stream, MixedEntries(), metadata);

        Assert.Equal(SafetensorsWriter.ToBytes(MixedEntries(), metadata), stream.ToArray());
        stream.Position = 0;
        var document = SafetensorsReader.Read(new NonSeekableStream(stream));
        Assert.Equal(MixedEntries().OrderBy(entry => entry.Name, StringComparer.Ordinal), document.Entries.OrderBy(entry => entry.Name, StringComparer.Ordinal));
        Assert.Equal("3", document.Metadata["round"]);
    }

    [Fact]
    public async Task Async_stream_round_trip_matches_the_bytes_from_ToBytes()
    {
        using var stream = new MemoryStream();

        await SafetensorsWriter.WriteAsync(stream, MixedEntries());
        stream.Position = 0;
        var document = await SafetensorsReader.ReadAsync(stream);

        Assert.Equal(SafetensorsWriter.ToBytes(MixedEntries()), stream.ToArray());
        Assert.Equal(MixedEntries().Length, document.Count);
    }

    [Fact]
    public void Reader_reads_a_file_that_starts_in_the_middle_of_a_stream()
    {
        var file = SafetensorsWriter.ToBytes(MixedEntries());
        using var stream = new MemoryStream();
        stream.Write([9, 9, 9]);
        stream.Write(file);
        stream.Position = 3;

        var document = SafetensorsReader.Read(stream);

        Assert.Equal(MixedEntries().Length, document.Count);
    }

    [Fact]
    public void Writer_rejects_two_entries_with_the_same_name()
    {
        var exception = Assert.Throws<ArgumentException>(() => SafetensorsWriter.ToBytes(
        [
            SafetensorsEntry.FromValues<float>("w", [1], [1f]),
            SafetensorsEntry.FromValues<int>("w", [1], [1]),
        ]));

        Assert.Contains("Two entries are named 'w'", exception.Message);
    }

    [Fact]
    public void Document_finds_entries_by_name_and_reports_missing_ones()
    {
        var document = new SafetensorsDocument(MixedEntries());

        Assert.True(document.Contains("mask"));
        Assert.True(document.TryGetEntry("mask", out var mask));
        Assert.Equal(SafetensorsDType.Bool, mask.DType);
        Assert.False(document.TryGetEntry("Mask", out _));
        var exception = Assert.Throws<KeyNotFoundException>(() => document["missing"]);
        Assert.Contains("'missing'", exception.Message);
    }

    /// <summary>One entry of every dtype, with a scalar among them.</summary>
    internal static SafetensorsEntry[] MixedEntries() =>
    [
        SafetensorsEntry.FromValues<float>("logits", [2, 3], [0.5f, -1f, 2f, 3.25f, 1e-7f, float.MaxValue]),
        SafetensorsEntry.FromValues<long>("labels", [3], [long.MinValue, 0, long.MaxValue]),
        SafetensorsEntry.FromValues<int>("counts", [2], [int.MinValue, 42]),
        SafetensorsEntry.FromValues<double>("temperature", [], [Math.PI]),
        SafetensorsEntry.FromValues<bool>("mask", [3, 1], [true, false, true]),
        SafetensorsEntry.FromValues<Half>("half", [2], [(Half)1.5, (Half)(-2)]),
        new SafetensorsEntry("raw_bf16", SafetensorsDType.BFloat16, [2], new byte[] { 0x80, 0x3F, 0x40, 0xC0 }),
        SafetensorsEntry.FromValues<short>("shorts", [1, 1, 2], [short.MinValue, short.MaxValue]),
        SafetensorsEntry.FromValues<byte>("bytes", [5], [0, 1, 127, 128, 255]),
        SafetensorsEntry.FromValues<sbyte>("signed", [2], [sbyte.MinValue, sbyte.MaxValue]),
    ];
}
