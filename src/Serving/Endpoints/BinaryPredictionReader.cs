using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// Reads the binary body of <c>POST /v1/predict</c> (<see cref="ContentType"/>): the examples back
/// to back, each the example shape flattened row-major, every value a little-endian IEEE 754
/// float32, and nothing else. The number of examples is the body's length over the bytes of one
/// example; a client may state it in <see cref="ExamplesHeader"/>, which catches a body of another
/// element type (float64 values make twice the bytes, which would otherwise read as two examples).
/// </summary>
/// <remarks>Never throws on bad input; the first problem is returned with its reason.</remarks>
public static class BinaryPredictionReader
{
    /// <summary>The content type of binary requests and of their answers (float32 logits, example by example).</summary>
    public const string ContentType = "application/octet-stream";

    /// <summary>An optional request header: the number of examples the body holds, checked against its length.</summary>
    public const string ExamplesHeader = "FedDistill-Examples";

    /// <summary>Reads and checks <paramref name="body"/>.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="exampleShape">The student's example shape.</param>
    /// <param name="maxExamples">Most examples accepted.</param>
    /// <param name="statedExamples">The value of <see cref="ExamplesHeader"/>, or null when the client sent none.</param>
    /// <param name="request">The examples, in a new array, when the body is valid.</param>
    /// <param name="problem">The first problem, when it is not.</param>
    /// <returns>True when the body is a valid request.</returns>
    public static bool TryRead(ReadOnlySpan<byte> body, IReadOnlyList<long> exampleShape, int maxExamples, string? statedExamples,
        [NotNullWhen(true)] out PredictionRequest? request, [NotNullWhen(false)] out PredictionProblem? problem)
    {
        ArgumentNullException.ThrowIfNull(exampleShape);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExamples, 1);
        var exampleLength = checked((int)exampleShape.Aggregate(1L, (product, dimension) => product * dimension));
        var exampleBytes = exampleLength * sizeof(float);
        request = null;
        problem = Check(body.Length, exampleShape, exampleLength, maxExamples, statedExamples);
        if (problem is not null) return false;

        var values = new float[body.Length / sizeof(float)];
        body.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            problem = new PredictionProblem(PredictionProblem.NonFinite, string.Create(CultureInfo.InvariantCulture,
                $"Value {i % exampleLength} of example {i / exampleLength} (bytes {i * sizeof(float)} to {i * sizeof(float) + 3}) is {values[i]}; every value must be a finite float32."));
            return false;
        }
        request = new PredictionRequest(values, body.Length / exampleBytes);
        return true;
    }

    // Everything the length alone says.
    private static PredictionProblem? Check(int length, IReadOnlyList<long> shape, int exampleLength, int maxExamples, string? statedExamples)
    {
        var exampleBytes = exampleLength * sizeof(float);
        var expected = $"{ContentType}: examples of {exampleLength} little-endian float32 values ({ExampleText(shape)}), {exampleBytes} bytes each, back to back";
        if (length == 0)
            return new PredictionProblem(PredictionProblem.EmptyBody, $"The body is empty; send {expected}.");
        if (length % exampleBytes != 0)
            return new PredictionProblem(PredictionProblem.WrongLength, string.Create(CultureInfo.InvariantCulture,
                $"The body has {length} bytes, not a whole number of examples of {exampleBytes} bytes; send {expected}."));
        var count = length / exampleBytes;
        if (statedExamples is not null)
        {
            if (!int.TryParse(statedExamples, NumberStyles.None, CultureInfo.InvariantCulture, out var stated) || stated < 1)
                return new PredictionProblem(PredictionProblem.WrongStructure, $"The {ExamplesHeader} header is '{Quote(statedExamples)}'; it must be a whole number of examples, at least 1.");
            if (stated != count)
                return new PredictionProblem(PredictionProblem.WrongLength, string.Create(CultureInfo.InvariantCulture,
                    $"The {ExamplesHeader} header says {stated} examples, but the body's {length} bytes make {count} examples of {exampleBytes} bytes (float32 values: another element type, such as float64 or uint8, does not fit); send {expected}."));
        }
        if (count > maxExamples)
            return new PredictionProblem(PredictionProblem.TooManyExamples, string.Create(CultureInfo.InvariantCulture,
                $"The body holds {count} examples; the server takes at most {maxExamples} per request (ServingOptions.MaxExamplesPerRequest). Split them over several requests."));
        return null;
    }

    private static string ExampleText(IReadOnlyList<long> shape) => $"shape [{string.Join(", ", shape)}] flattened row-major";

    private static string Quote(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
