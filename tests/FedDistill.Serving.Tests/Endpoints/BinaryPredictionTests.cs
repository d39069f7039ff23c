using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using FedDistill.Distillation.Models;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Endpoints;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Students;
using FedDistill.Serving.Tests.Support;
using TorchSharp;

namespace FedDistill.Serving.Tests.Endpoints;

/// <summary>
/// The binary form of <c>POST /v1/predict</c> on a real Kestrel socket: little-endian float32
/// examples in, float32 logits out, the same logits as the JSON form to the bit; each kind of bad
/// body refused with a 400 and its reason, and the server answers on.
/// </summary>
public sealed class BinaryPredictionTests
{
    private const int MaxExamples = 8;

    public static TheoryData<int, string?, string> BadBodies => new()
    {
        // bytes, FedDistill-Examples header, reason
        { 0, null, "empty-body" },
        { 15, null, "wrong-length" },        // not a whole number of 16-byte examples
        { 17, null, "wrong-length" },
        { 32, "1", "wrong-length" },         // one example of float64 values: twice the bytes
        { 16, "two", "wrong-structure" },
        { 16, "0", "wrong-structure" },
        { 16 * (MaxExamples + 1), null, "too-many-examples" },
    };

    /// <summary>
    /// The same examples sent as JSON and as float32 bytes come back with the same logits: bit for
    /// bit for a student by hand, within 1e-6 for a TorchSharp student; the binary answer is 4 bytes per logit.
    /// </summary>
    [Fact]
    public async Task Binary_logits_equal_the_json_logits()
    {
        float[][] examples = [[1, 0, 0, 0], [0.1f, -3.25f, 1e-7f, 2], [0.5f, 0.25f, 2, -1]];
        await using (var running = await RunningServer.StartAsync(new FakeStudentModel()))
        {
            var binary = await PredictBinaryAsync(running.Client, examples, classes: 3);
            var json = await PredictJsonAsync(running.Client, examples);
            Assert.Equal(json, binary);
            Assert.Equal(FakeStudentModel.Expected(examples[1]), binary[1]);
        }

        torch.manual_seed(7);
        var module = ModelFactory.Create(new ModelSpec { Kind = "mlp", HiddenWidths = [8], Classes = 5 }, [4]);
        using var student = new TorchSharpStudentModel(module, [4], 5);
        await using (var running = await RunningServer.StartAsync(student))
        {
            // The inputs arrive the same (the student by hand shows it to the bit), but libtorch's
            // own passes over them may differ in the last bit from one call to the next (its
            // kernels' summation order depends on the buffers' alignment): close, not equal, here.
            var binary = await PredictBinaryAsync(running.Client, examples, classes: 5);
            var json = await PredictJsonAsync(running.Client, examples);
            var direct = student.Predict([.. examples.SelectMany(example => example)], examples.Length);
            for (var i = 0; i < direct.Length; i++)
            {
                Assert.Equal(json[i / 5][i % 5], binary[i / 5][i % 5], 1e-6f);
                Assert.Equal(direct[i], binary[i / 5][i % 5], 1e-6f);
            }
        }
    }

    /// <summary>Each kind of bad binary body gets a 400 ProblemDetails naming its reason, and the next good request is answered.</summary>
    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_binary_body_is_refused_with_its_reason_and_the_server_still_answers(int bytes, string? statedExamples, string reason)
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(), Options());
        using var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue(BinaryPredictionReader.ContentType);
        if (statedExamples is not null) content.Headers.Add(BinaryPredictionReader.ExamplesHeader, statedExamples);

        using var response = await running.Client.PostAsync("/v1/predict", content);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(reason, (await Json.ReadAsync(response)).GetProperty("reason").GetString());
        Assert.Equal([FakeStudentModel.Expected([1, 2, 3, 4])], await PredictBinaryAsync(running.Client, [[1, 2, 3, 4]], classes: 3));
    }

    /// <summary>A NaN or infinity among the bytes is refused as non-finite, naming the example and value.</summary>
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public async Task A_non_finite_value_is_refused_naming_where_it_is(float value)
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(), Options());

        using var response = await running.Client.PostAsync("/v1/predict", Binary([[1, 2, 3, 4], [0, 0, value, 0]]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await Json.ReadAsync(response);
        Assert.Equal("non-finite", problem.GetProperty("reason").GetString());
        Assert.Contains("Value 2 of example 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The reader alone: the count stated in the header is checked, and a body of float64 values cannot pass for float32 ones.</summary>
    [Fact]
    public void The_stated_count_catches_a_body_of_another_element_type()
    {
        var float64 = new byte[4 * sizeof(double)];

        Assert.True(BinaryPredictionReader.TryRead(float64, [4], 8, null, out var twoExamples, out _));
        Assert.Equal(2, twoExamples.Count);
        Assert.False(BinaryPredictionReader.TryRead(float64, [4], 8, "1", out _, out var problem));
        Assert.Equal(PredictionProblem.WrongLength, problem.Reason);
        Assert.Contains("float64", problem.Detail, StringComparison.Ordinal);
    }

    private static ServingOptions Options() => new()
    {
        MaxExamplesPerRequest = MaxExamples,
        Batching = new BatchingOptions { MaxBatchSize = 16, MaxWait = TimeSpan.FromMilliseconds(1) },
    };

    private static ByteArrayContent Binary(float[][] examples)
    {
        var values = examples.SelectMany(example => example).ToArray();
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(BinaryPredictionReader.ContentType);
        content.Headers.Add(BinaryPredictionReader.ExamplesHeader, examples.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    private static async Task<float[][]> PredictBinaryAsync(HttpClient client, float[][] examples, int classes)
    {
        using var response = await client.PostAsync("/v1/predict", Binary(examples));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BinaryPredictionReader.ContentType, response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(examples.Length * classes * sizeof(float), bytes.Length);
        return Enumerable.Range(0, examples.Length)
            .Select(row => Enumerable.Range(0, classes).Select(c => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((row * classes + c) * sizeof(float)))).ToArray())
            .ToArray();
    }

    private static async Task<float[][]> PredictJsonAsync(HttpClient client, float[][] examples)
    {
        using var response = await client.PostAsync("/v1/predict", Json.Inputs(examples));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Json.Logits(await Json.ReadAsync(response));
    }
}
