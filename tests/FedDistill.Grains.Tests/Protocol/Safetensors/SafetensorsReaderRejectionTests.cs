using System.Text;
using FedDistill.Grains.Protocol.Safetensors;
using static FedDistill.Grains.Tests.Protocol.Safetensors.SafetensorsTestFiles;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

public sealed class SafetensorsReaderRejectionTests
{
    private const string W = "'w':{'dtype':'F32','shape':[2],'data_offsets':[0,8]}";

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public async Task Reader_rejects_files_shorter_than_the_length_prefix(int length)
    {
        await AssertRejectedAsync(new byte[length], $"file is {length} bytes long, shorter than the 8-byte header length");
    }

    [Fact]
    public async Task Reader_rejects_a_header_length_that_runs_past_the_end_of_the_file()
    {
        var file = WithHeader("{" + W + "}", 8);
        await AssertRejectedAsync(file[..40], "header length 54 runs past the end of the file: only 32 bytes follow the 8-byte length prefix");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public async Task Reader_rejects_a_header_length_over_the_format_limit(ulong headerLength)
    {
        await AssertRejectedAsync(WithLengthPrefix(headerLength, extraBytes: 16), $"header length {headerLength} exceeds the format's limit of 100000000 bytes");
    }

    [Fact]
    public async Task Reader_rejects_a_header_that_is_not_UTF8()
    {
        var header = Encoding.ASCII.GetBytes("{\"w?\":{}}");
        header[3] = 0xFF;
        await AssertRejectedAsync(WithRawHeader(header, 0), "header is not valid UTF-8");
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{'w':")]
    [InlineData("{} x")]
    [InlineData("{}{}")]
    [InlineData("/* comment */{}")]
    [InlineData("{" + W + ",}")]
    [InlineData("{w:1}")]
    public async Task Reader_rejects_a_header_that_is_not_valid_JSON(string header)
    {
        await AssertRejectedAsync(WithHeader(header, 0), "header is not valid JSON");
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("'text'", "string")]
    [InlineData("42", "number")]
    [InlineData("null", "null")]
    public async Task Reader_rejects_a_header_that_is_not_a_JSON_object(string header, string kind)
    {
        await AssertRejectedAsync(WithHeader(header, 0), $"header is a JSON {kind}, not an object");
    }

    [Theory]
    [InlineData("[0,8]", "array")]
    [InlineData("'F32'", "string")]
    [InlineData("null", "null")]
    public async Task Reader_rejects_an_entry_that_is_not_an_object(string entry, string kind)
    {
        await AssertRejectedAsync(WithHeader("{'w':" + entry + "}", 0), $"tensor 'w': entry is a JSON {kind}, not an object");
    }

    [Theory]
    [InlineData("{'shape':[2],'data_offsets':[0,8]}", "dtype")]
    [InlineData("{'dtype':'F32','data_offsets':[0,8]}", "shape")]
    [InlineData("{'dtype':'F32','shape':[2]}", "data_offsets")]
    public async Task Reader_rejects_an_entry_that_lacks_a_key(string entry, string missing)
    {
        await AssertRejectedAsync(WithHeader("{'w':" + entry + "}", 8), $"tensor 'w': missing '{missing}'");
    }

    [Fact]
    public async Task Reader_rejects_an_entry_with_an_unknown_key()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[2],'data_offsets':[0,8],'extra':{}}}", 8),
            "tensor 'w': unknown key 'extra'");
    }

    [Fact]
    public async Task Reader_rejects_an_entry_with_a_repeated_key()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','dtype':'F32','shape':[2],'data_offsets':[0,8]}}", 8),
            "tensor 'w': key 'dtype' appears twice");
    }

    [Theory]
    [InlineData("F8_E4M3")]
    [InlineData("U16")]
    [InlineData("f32")]
    [InlineData("")]
    public async Task Reader_rejects_an_unknown_dtype(string dtype)
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'" + dtype + "','shape':[2],'data_offsets':[0,8]}}", 8),
            $"tensor 'w': dtype '{dtype}' is not supported (supported: BF16, BOOL, F16, F32, F64, I16, I32, I64, I8, U8)");
    }

    [Fact]
    public async Task Reader_rejects_a_dtype_that_is_not_a_string()
    {
        await AssertRejectedAsync(WithHeader("{'w':{'dtype':4,'shape':[2],'data_offsets':[0,8]}}", 8), "tensor 'w': dtype is a JSON number, not a string");
    }

    [Fact]
    public async Task Reader_rejects_a_negative_dimension()
    {
        await AssertRejectedAsync(WithHeader("{'w':{'dtype':'F32','shape':[2,-3],'data_offsets':[0,8]}}", 8), "tensor 'w': shape[1] is -3; it must be non-negative");
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("2e0")]
    [InlineData("'2'")]
    [InlineData("[2]")]
    [InlineData("true")]
    [InlineData("9223372036854775808")]
    public async Task Reader_rejects_a_dimension_that_is_not_a_64_bit_integer(string dimension)
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[" + dimension + "],'data_offsets':[0,8]}}", 8),
            "tensor 'w': shape[0] is not an integer between 0 and 9223372036854775807");
    }

    [Fact]
    public async Task Reader_rejects_a_shape_that_is_not_an_array()
    {
        await AssertRejectedAsync(WithHeader("{'w':{'dtype':'F32','shape':2,'data_offsets':[0,8]}}", 8), "tensor 'w': shape is a JSON number, not an array of integers");
    }

    [Fact]
    public async Task Reader_rejects_a_shape_whose_element_count_overflows()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[4294967296,4294967296],'data_offsets':[0,8]}}", 8),
            "tensor 'w': shape [4294967296, 4294967296] has more elements than a 64-bit count can hold");
    }

    [Fact]
    public async Task Reader_rejects_an_overflowing_shape_even_when_a_later_dimension_is_zero()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[4294967296,4294967296,0],'data_offsets':[0,0]}}", 0),
            "has more elements than a 64-bit count can hold");
    }

    [Fact]
    public async Task Reader_rejects_a_shape_whose_byte_length_overflows()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[4611686018427387904],'data_offsets':[0,8]}}", 8),
            "tensor 'w': shape [4611686018427387904] needs more bytes than a 64-bit length can hold");
    }

    [Fact]
    public async Task Reader_rejects_a_shape_with_more_than_64_dimensions()
    {
        string shape = string.Join(",", Enumerable.Repeat("1", 65));
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[" + shape + "],'data_offsets':[0,4]}}", 4),
            "tensor 'w': shape has more than 64 dimensions");
    }

    [Theory]
    [InlineData("[0]", "data_offsets must be [begin, end] but holds 1 value")]
    [InlineData("[]", "data_offsets must be [begin, end] but holds 0 values")]
    [InlineData("[0,4,8]", "data_offsets must be [begin, end] but holds more than 2 values")]
    [InlineData("[-1,7]", "data_offsets[0] is -1; it must be non-negative")]
    [InlineData("[0,-8]", "data_offsets[1] is -8; it must be non-negative")]
    [InlineData("[0.0,8]", "data_offsets[0] is not an integer")]
    [InlineData("['0',8]", "data_offsets[0] is not an integer")]
    [InlineData("[18446744073709551615,8]", "data_offsets[0] is not an integer")]
    [InlineData("'0-8'", "data_offsets is a JSON string, not an array of integers")]
    public async Task Reader_rejects_data_offsets_that_are_not_two_non_negative_integers(string offsets, string message)
    {
        await AssertRejectedAsync(WithHeader("{'w':{'dtype':'F32','shape':[2],'data_offsets':" + offsets + "}}", 8), "tensor 'w': " + message);
    }

    [Fact]
    public async Task Reader_rejects_data_offsets_that_begin_after_they_end()
    {
        await AssertRejectedAsync(WithHeader("{'w':{'dtype':'F32','shape':[2],'data_offsets':[8,0]}}", 8), "tensor 'w': data_offsets [8, 0] begin after they end");
    }

    [Fact]
    public async Task Reader_rejects_offsets_that_run_past_the_end_of_the_buffer()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[20],'data_offsets':[0,80]}}", 64),
            "tensor 'w': data_offsets [0, 80] run past the end of the 64-byte data buffer");
    }

    [Fact]
    public async Task Reader_rejects_offsets_whose_span_does_not_match_the_shape()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[2],'data_offsets':[0,12]}}", 12),
            "tensor 'w': data_offsets [0, 12] span 12 bytes but shape [2] of F32 needs 8");
    }

    [Fact]
    public async Task Reader_rejects_offsets_that_overlap()
    {
        await AssertRejectedAsync(
            WithHeader("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'b':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}}", 12),
            "tensor 'b': data_offsets [4, 12] overlap tensor 'a' at [0, 8]");
    }

    [Fact]
    public async Task Reader_rejects_identical_offsets_for_two_tensors()
    {
        await AssertRejectedAsync(
            WithHeader("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'b':{'dtype':'I32','shape':[2],'data_offsets':[0,8]}}", 8),
            "tensor 'b': data_offsets [0, 8] overlap tensor 'a' at [0, 8]");
    }

    [Fact]
    public async Task Reader_rejects_an_empty_tensor_placed_inside_another()
    {
        await AssertRejectedAsync(
            WithHeader("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'e':{'dtype':'F32','shape':[0],'data_offsets':[4,4]}}", 8),
            "tensor 'e': data_offsets [4, 4] overlap tensor 'a' at [0, 8]");
    }

    [Fact]
    public async Task Reader_rejects_a_gap_between_tensors()
    {
        await AssertRejectedAsync(
            WithHeader("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'b':{'dtype':'F32','shape':[2],'data_offsets':[12,20]}}", 20),
            "bytes [8, 12) of the data buffer, before tensor 'b', belong to no tensor");
    }

    [Fact]
    public async Task Reader_rejects_a_gap_at_the_start_of_the_buffer()
    {
        await AssertRejectedAsync(
            WithHeader("{'a':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}}", 12),
            "bytes [0, 4) of the data buffer, before tensor 'a', belong to no tensor");
    }

    [Fact]
    public async Task Reader_rejects_trailing_bytes_after_the_last_tensor()
    {
        await AssertRejectedAsync(
            WithHeader("{" + W + "}", 12),
            "the last 4 bytes of the 12-byte data buffer belong to no tensor");
    }

    [Fact]
    public async Task Reader_rejects_data_bytes_when_the_header_lists_no_tensors()
    {
        await AssertRejectedAsync(WithHeader("{}", 3), "the last 3 bytes of the 3-byte data buffer belong to no tensor");
    }

    [Fact]
    public async Task Reader_rejects_duplicate_tensor_names()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'w':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", 8),
            "tensor 'w' appears twice in the header");
    }

    [Fact]
    public async Task Reader_rejects_duplicate_names_that_differ_only_in_escaping()
    {
        await AssertRejectedAsync(
            WithHeader("{'w':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'\\u0077':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", 8),
            "tensor 'w' appears twice in the header");
    }

    [Fact]
    public async Task Reader_rejects_an_empty_tensor_name()
    {
        await AssertRejectedAsync(WithHeader("{'':{'dtype':'F32','shape':[2],'data_offsets':[0,8]}}", 8), "a tensor has an empty name");
    }

    [Fact]
    public async Task Reader_rejects_a_name_that_escapes_to_invalid_UTF16()
    {
        await AssertRejectedAsync(WithHeader("{'\\ud800':{'dtype':'F32','shape':[2],'data_offsets':[0,8]}}", 8), "header holds a string that is not valid text");
    }

    [Fact]
    public async Task Reader_shortens_very_long_names_in_messages()
    {
        string name = new('n', 5000);
        var exception = await AssertRejectedAsync(WithHeader("{'" + name + "':[]}", 0), "(5000 characters)");
        Assert.True(exception.Message.Length < 300, exception.Message);
    }

    [Theory]
    [InlineData("'pt'", "string")]
    [InlineData("null", "null")]
    [InlineData("['a','b']", "array")]
    public async Task Reader_rejects_metadata_that_is_not_an_object(string metadata, string kind)
    {
        await AssertRejectedAsync(WithHeader("{'__metadata__':" + metadata + "}", 0), $"'__metadata__' is a JSON {kind}, not an object of strings");
    }

    [Theory]
    [InlineData("1", "number")]
    [InlineData("null", "null")]
    [InlineData("{}", "object")]
    [InlineData("['x']", "array")]
    public async Task Reader_rejects_metadata_values_that_are_not_strings(string value, string kind)
    {
        await AssertRejectedAsync(WithHeader("{'__metadata__':{'ok':'yes','k':" + value + "}}", 0), $"'__metadata__' entry 'k' is a JSON {kind}, not a string");
    }

    [Fact]
    public async Task Reader_rejects_a_repeated_metadata_key()
    {
        await AssertRejectedAsync(WithHeader("{'__metadata__':{'k':'a','k':'b'}}", 0), "'__metadata__' entry 'k' appears twice");
    }

    [Fact]
    public async Task Reader_rejects_a_repeated_metadata_object()
    {
        await AssertRejectedAsync(WithHeader("{'__metadata__':{},'__metadata__':{}}", 0), "'__metadata__' appears twice in the header");
    }

    [Fact]
    public void Reader_checks_the_header_length_of_a_stream_before_reading_the_rest()
    {
        var stream = new NonSeekableStream(new MemoryStream(WithLengthPrefix(200_000_000, extraBytes: 4096)));
        var exception = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(stream));
        Assert.Contains("exceeds the format's limit", exception.Message);
        Assert.Equal(8, stream.BytesRead);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reader_does_not_allocate_what_a_truncated_stream_only_claims(bool seekable)
    {
        // Just under the format's limit, so only the file's real length can stop the reader.
        var file = WithLengthPrefix(99_999_999, extraBytes: 100);
        Stream stream = seekable ? new MemoryStream(file) : new NonSeekableStream(new MemoryStream(file));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var exception = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("header length 99999999 runs past the end of the file: only 100 bytes follow", exception.Message);
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes");
    }

    /// <summary>
    /// Asserts that every way in (memory, seekable stream, non-seekable stream, file, async)
    /// rejects <paramref name="file"/> with the same <see cref="SafetensorsFormatException"/>.
    /// </summary>
    private static async Task<SafetensorsFormatException> AssertRejectedAsync(byte[] file, string expectedMessagePart)
    {
        var fromMemory = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(file.AsMemory()));
        Assert.Contains(expectedMessagePart, fromMemory.Message);

        var fromSeekable = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(new MemoryStream(file)));
        Assert.Equal(fromMemory.Message, fromSeekable.Message);

        var fromNonSeekable = Assert.Throws<SafetensorsFormatException>(() => SafetensorsReader.Read(new NonSeekableStream(new MemoryStream(file))));
        Assert.Equal(fromMemory.Message, fromNonSeekable.Message);

        var fromAsync = await Assert.ThrowsAsync<SafetensorsFormatException>(() => SafetensorsReader.ReadAsync(new NonSeekableStream(new MemoryStream(file))));
        Assert.Equal(fromMemory.Message, fromAsync.Message);

        return fromMemory;
    }
}
