using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// Reads the body of <c>POST /v1/predict</c>, <c>{"inputs": [[...], ...]}</c>, in one forward pass
/// over the bytes, straight into one array of floats, and checks everything a client can get wrong:
/// the first problem found is returned with its reason and where it is (e.g. <c>inputs[3][17]</c>).
/// </summary>
/// <remarks>
/// Strict on purpose, like the configuration files: the object's only member is <c>inputs</c>; each
/// example is a flat array of exactly the example length of JSON numbers (the example shape
/// flattened row-major), each a finite 32-bit float. Never throws on bad input.
/// </remarks>
public static class PredictionRequestReader
{
    private const int MaxQuotedText = 40;

    /// <summary>Reads and checks <paramref name="body"/>.</summary>
    /// <param name="body">The request body, UTF-8 JSON.</param>
    /// <param name="exampleShape">The student's example shape (for the example length and the messages).</param>
    /// <param name="maxExamples">Most examples accepted.</param>
    /// <param name="request">The examples, when the body is valid.</param>
    /// <param name="problem">The first problem, when it is not.</param>
    /// <returns>True when the body is a valid request.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, IReadOnlyList<long> exampleShape, int maxExamples,
        [NotNullWhen(true)] out PredictionRequest? request, [NotNullWhen(false)] out PredictionProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExamples, 1);
        var exampleLength = checked((int)exampleShape.Aggregate(1L, (product, dimension) => product * dimension));
        request = null;
        problem = null;
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            problem = new PredictionProblem(PredictionProblem.EmptyBody, $"The body is empty; send {Expected(exampleLength)}.");
            return false;
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            problem = ReadObject(ref reader, exampleShape, exampleLength, maxExamples, out request);
            // Anything but whitespace after the object makes Read throw: the body must be one JSON value.
            if (problem is null && reader.Read()) problem = new PredictionProblem(PredictionProblem.NotJson, "The body has more after the JSON object.");
        }
        catch (JsonException error)
        {
            request = null;
            problem = new PredictionProblem(PredictionProblem.NotJson, string.Create(CultureInfo.InvariantCulture,
                $"The body is not JSON: {WithoutPosition(error.Message)} (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}). Send {Expected(exampleLength)}; JSON has no NaN or Infinity, every value must be a finite number."));
        }
        return problem is null;
    }

    private static PredictionProblem? ReadObject(ref Utf8JsonReader reader, IReadOnlyList<long> shape, int exampleLength, int maxExamples, out PredictionRequest? request)
    {
        request = null;
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
            return new PredictionProblem(PredictionProblem.WrongStructure, $"The body is {Describe(ref reader)}; send a JSON object {Expected(exampleLength)}.");

        var seenInputs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (name != "inputs")
                return new PredictionProblem(PredictionProblem.UnknownProperty, $"The body has a member \"{Quote(name)}\"; its only member is \"inputs\": {Expected(exampleLength)}.");
            if (seenInputs) return new PredictionProblem(PredictionProblem.WrongStructure, "The body has \"inputs\" twice.");
            seenInputs = true;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
                return new PredictionProblem(PredictionProblem.WrongStructure, $"\"inputs\" is {Describe(ref reader)}; it must be an array of examples: {Expected(exampleLength)}.");
            var problem = ReadExamples(ref reader, shape, exampleLength, maxExamples, out request);
            if (problem is not null) return problem;
        }

        if (!seenInputs) return new PredictionProblem(PredictionProblem.MissingInputs, $"The body has no \"inputs\"; send {Expected(exampleLength)}.");
        if (request is null || request.Count == 0)
        {
            request = null;
            return new PredictionProblem(PredictionProblem.NoExamples, $"\"inputs\" is empty; send at least one example: {Expected(exampleLength)}.");
        }
        return null;
    }

    // Reads the examples of "inputs" from its [ to its ], into one growing array.
    private static PredictionProblem? ReadExamples(ref Utf8JsonReader reader, IReadOnlyList<long> shape, int exampleLength, int maxExamples, out PredictionRequest? request)
    {
        request = null;
        var values = new float[exampleLength * Math.Min(maxExamples, 4)];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == maxExamples)
                return new PredictionProblem(PredictionProblem.TooManyExamples,
                    $"\"inputs\" has more than {maxExamples} examples; the server takes at most {maxExamples} per request (ServingOptions.MaxExamplesPerRequest). Split them over several requests.");
            if (reader.TokenType != JsonTokenType.StartArray)
                return new PredictionProblem(PredictionProblem.WrongShape, $"inputs[{count}] is {Describe(ref reader)}; each example must be {ExampleText(shape, exampleLength)}.");
            if (values.Length < (count + 1) * exampleLength) Array.Resize(ref values, Math.Min(values.Length * 2, maxExamples * exampleLength));

            var offset = count * exampleLength;
            var length = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        if (!reader.TryGetSingle(out var value) || !float.IsFinite(value))
                            return new PredictionProblem(PredictionProblem.NonFinite,
                                $"inputs[{count}][{length}] is {Quote(Encoding.UTF8.GetString(reader.ValueSpan))}, which is not a finite 32-bit float; every value must be.");
                        if (length < exampleLength) values[offset + length] = value;
                        break;
                    case JsonTokenType.StartArray or JsonTokenType.StartObject:
                        return new PredictionProblem(PredictionProblem.WrongShape,
                            $"inputs[{count}][{length}] is {Describe(ref reader)}; each example must be {ExampleText(shape, exampleLength)}.");
                    default:
                        return new PredictionProblem(PredictionProblem.NotANumber, $"inputs[{count}][{length}] is {Describe(ref reader)}; every value must be a JSON number.");
                }
                length++;
            }

            if (length != exampleLength)
                return new PredictionProblem(PredictionProblem.WrongLength,
                    $"inputs[{count}] has {length} numbers; the student takes {exampleLength} per example ({ExampleText(shape, exampleLength)}).");
            count++;
        }

        request = new PredictionRequest(values.AsMemory(0, count * exampleLength), count);
        return null;
    }

    private static string Expected(int exampleLength) => $"{{\"inputs\": [[...{exampleLength} numbers...], ...]}}";

    private static string ExampleText(IReadOnlyList<long> shape, int exampleLength) =>
        shape.Count == 1
            ? $"a flat array of {exampleLength} numbers"
            : $"a flat array of {exampleLength} numbers (shape [{string.Join(", ", shape)}] flattened row-major)";

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => $"the string \"{Quote(reader.GetString() ?? string.Empty)}\"",
        JsonTokenType.Number => $"the number {Quote(Encoding.UTF8.GetString(reader.ValueSpan))}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Quote(string text) => text.Length <= MaxQuotedText ? text : text[..MaxQuotedText] + "…";

    // The reader's message ends in " LineNumber: … | BytePositionInLine: …", 0-based; ours gives them 1-based.
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }
}
