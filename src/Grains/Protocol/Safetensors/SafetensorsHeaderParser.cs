using System.Text.Json;
using System.Text.Unicode;

namespace FedDistill.Grains.Protocol.Safetensors;

/// <summary>
/// Parses the JSON header of a safetensors file token by token, so that nothing in the header
/// can make the reader build a type it did not ask for, and every departure from the format is
/// reported as a <see cref="SafetensorsFormatException"/> naming the key at fault.
/// </summary>
/// <remarks>
/// Only the header's own structure is checked here; whether the offsets fit the data buffer is
/// the reader's job, since only it knows the buffer's length.
/// </remarks>
internal static class SafetensorsHeaderParser
{
    // The deepest valid header is root -> entry -> shape array (3); the margin only lets a
    // slightly odd header reach a precise error message instead of a depth error.
    private const int MaxJsonDepth = 8;

    // Names in messages are cut short because a hostile header can hold a 100 MB name.
    private const int MaxQuotedLength = 80;

    /// <summary>Parses a header and returns its tensors in header order and its metadata.</summary>
    /// <exception cref="SafetensorsFormatException">The header is malformed.</exception>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            throw Malformed("header is not valid UTF-8");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            MaxDepth = MaxJsonDepth,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        try
        {
            return ParseRoot(ref reader);
        }
        catch (JsonException exception)
        {
            throw new SafetensorsFormatException($"header is not valid JSON: {exception.Message}", exception);
        }
        catch (InvalidOperationException exception)
        {
            // GetString throws this for escapes that decode to invalid UTF-16, such as a lone "\ud800".
            throw new SafetensorsFormatException($"header holds a string that is not valid text: {exception.Message}", exception);
        }
    }

    /// <summary>Quotes a name for an error message, cutting it short if it is long.</summary>
    internal static string Quote(string name) =>
        name.Length <= MaxQuotedLength ? $"'{name}'" : $"'{name[..MaxQuotedLength]}...' ({name.Length} characters)";

    private static SafetensorsHeader ParseRoot(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Malformed("header is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed($"header is a JSON {Describe(reader.TokenType)}, not an object");
        }

        var tensors = new List<SafetensorsHeader.Tensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            if (key == SafetensorsEntry.MetadataKey)
            {
                if (metadata is not null)
                {
                    throw Malformed($"'{SafetensorsEntry.MetadataKey}' appears twice in the header");
                }

                metadata = ParseMetadata(ref reader);
                continue;
            }

            if (key.Length == 0)
            {
                throw Malformed("a tensor has an empty name");
            }

            if (!names.Add(key))
            {
                throw Malformed($"tensor {Quote(key)} appears twice in the header");
            }

            tensors.Add(ParseTensor(ref reader, key));
        }

        // Only whitespace (the writer's padding) may follow; anything else makes Read throw.
        if (reader.Read())
        {
            throw Malformed("header has content after its JSON object");
        }

        return new SafetensorsHeader(tensors, metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static SafetensorsHeader.Tensor ParseTensor(ref Utf8JsonReader reader, string name)
    {
        string tensor = $"tensor {Quote(name)}";
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw Malformed($"{tensor}: entry is a JSON {Describe(reader.TokenType)}, not an object with dtype, shape and data_offsets");
        }

        SafetensorsDType? dtype = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            if (reader.ValueTextEquals("dtype"u8))
            {
                RejectRepeat(dtype is not null, tensor, "dtype");
                dtype = ParseDType(ref reader, tensor);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                RejectRepeat(shape is not null, tensor, "shape");
                shape = ParseNonNegativeIntegers(ref reader, tensor, "shape", SafetensorsEntry.MaxRank);
            }
            else if (reader.ValueTextEquals("data_offsets"u8))
            {
                RejectRepeat(offsets is not null, tensor, "data_offsets");
                offsets = ParseNonNegativeIntegers(ref reader, tensor, "data_offsets", 2);
            }
            else
            {
                throw Malformed($"{tensor}: unknown key {Quote(reader.GetString()!)} (an entry holds only dtype, shape and data_offsets)");
            }
        }

        if (dtype is null)
        {
            throw Malformed($"{tensor}: missing 'dtype'");
        }

        if (shape is null)
        {
            throw Malformed($"{tensor}: missing 'shape'");
        }

        if (offsets is null)
        {
            throw Malformed($"{tensor}: missing 'data_offsets'");
        }

        if (offsets.Length != 2)
        {
            throw Malformed($"{tensor}: data_offsets must be [begin, end] but holds {offsets.Length} value{(offsets.Length == 1 ? "" : "s")}");
        }

        var shapeProblem = SafetensorsEntry.DescribeShapeProblem(shape, dtype.Value.ElementSize(), out _, out long byteLength);
        if (shapeProblem is not null)
        {
            throw Malformed($"{tensor}: {shapeProblem}");
        }

        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end)
        {
            throw Malformed($"{tensor}: data_offsets [{begin}, {end}] begin after they end");
        }

        return new SafetensorsHeader.Tensor(name, dtype.Value, shape, begin, end, byteLength);
    }

    private static SafetensorsDType ParseDType(ref Utf8JsonReader reader, string tensor)
    {
        if (Next(ref reader) != JsonTokenType.String)
        {
            throw Malformed($"{tensor}: dtype is a JSON {Describe(reader.TokenType)}, not a string");
        }

        string formatName = reader.GetString()!;
        if (!SafetensorsDTypes.TryParse(formatName, out var dtype))
        {
            throw Malformed($"{tensor}: dtype {Quote(formatName)} is not supported (supported: {SafetensorsDTypes.SupportedNames})");
        }

        return dtype;
    }

    private static long[] ParseNonNegativeIntegers(ref Utf8JsonReader reader, string tensor, string key, int maxCount)
    {
        if (Next(ref reader) != JsonTokenType.StartArray)
        {
            throw Malformed($"{tensor}: {key} is a JSON {Describe(reader.TokenType)}, not an array of integers");
        }

        var values = new List<long>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            // Bounded before adding so a hostile header cannot grow the list without limit.
            if (values.Count == maxCount)
            {
                throw Malformed(key == "shape"
                    ? $"{tensor}: shape has more than {maxCount} dimensions"
                    : $"{tensor}: {key} must be [begin, end] but holds more than {maxCount} values");
            }

            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value))
            {
                throw Malformed($"{tensor}: {key}[{values.Count}] is not an integer between 0 and {long.MaxValue}");
            }

            if (value < 0)
            {
                throw Malformed($"{tensor}: {key}[{values.Count}] is {value}; it must be non-negative");
            }

            values.Add(value);
        }

        return [.. values];
    }

    private static Dictionary<string, string> ParseMetadata(ref Utf8JsonReader reader)
    {
        const string Key = SafetensorsEntry.MetadataKey;
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw Malformed($"'{Key}' is a JSON {Describe(reader.TokenType)}, not an object of strings");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            if (Next(ref reader) != JsonTokenType.String)
            {
                throw Malformed($"'{Key}' entry {Quote(name)} is a JSON {Describe(reader.TokenType)}, not a string");
            }

            if (!metadata.TryAdd(name, reader.GetString()!))
            {
                throw Malformed($"'{Key}' entry {Quote(name)} appears twice");
            }
        }

        return metadata;
    }

    private static void RejectRepeat(bool seen, string tensor, string key)
    {
        if (seen)
        {
            throw Malformed($"{tensor}: key '{key}' appears twice");
        }
    }

    /// <summary>Advances to the next token; the whole header is one final block, so running out means it was cut short.</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw Malformed("header ends before its JSON object is closed");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static SafetensorsFormatException Malformed(string message) => new(message);
}
