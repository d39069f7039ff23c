using System.Net;
using System.Net.Sockets;
using System.Text;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Tests.Support;
using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Tests.Endpoints;

/// <summary>
/// <c>POST /v1/predict</c> and its neighbours on a real Kestrel socket: answers hold each example's
/// logits and prediction; every kind of bad request gets a ProblemDetails with its reason, and the
/// server keeps answering.
/// </summary>
public sealed class PredictionEndpointTests
{
    private const int MaxExamples = 8;
    private const long MaxBody = 4096;

    public static TheoryData<string, string> BadBodies => new()
    {
        { "", "empty-body" },
        { "   ", "empty-body" },
        { "inputs=1,2,3,4", "not-json" },
        { """{"inputs": [[1, 2, NaN, 4]]}""", "not-json" },
        { """{"inputs": [[1, 2, Infinity, 4]]}""", "not-json" },
        { """{"inputs": [[1, 2, 3, 4]""", "not-json" },
        { """{"inputs": [[1, 2, 3, 4]]} {}""", "not-json" },
        { """[[1, 2, 3, 4]]""", "wrong-structure" },
        { """{"inputs": 5}""", "wrong-structure" },
        { """{"inputs": [[1, 2, 3, 4]], "inputs": [[1, 2, 3, 4]]}""", "wrong-structure" },
        { """{"input": [[1, 2, 3, 4]]}""", "unknown-property" },
        { """{}""", "missing-inputs" },
        { """{"inputs": []}""", "no-examples" },
        { """{"inputs": [1, 2, 3, 4]}""", "wrong-shape" },
        { """{"inputs": [[[1, 2], [3, 4]]]}""", "wrong-shape" },
        { """{"inputs": [[1, 2, 3, 4], {"a": 1}]}""", "wrong-shape" },
        { """{"inputs": [[1, 2, 3]]}""", "wrong-length" },
        { """{"inputs": [[1, 2, 3, 4], [1, 2, 3, 4, 5]]}""", "wrong-length" },
        { """{"inputs": [[1, 2, "3", 4]]}""", "not-a-number" },
        { """{"inputs": [[1, 2, null, 4]]}""", "not-a-number" },
        { """{"inputs": [[1, 2, true, 4]]}""", "not-a-number" },
        { """{"inputs": [[1e39, 2, 3, 4]]}""", "non-finite" },
        { """{"inputs": [[1, -1e39, 3, 4]]}""", "non-finite" },
        { "{\"inputs\": [" + string.Join(", ", Enumerable.Repeat("[1, 2, 3, 4]", MaxExamples + 1)) + "]}", "too-many-examples" },
    };

    /// <summary>Several examples in one request come back in order, each with its logits and the index of the largest.</summary>
    [Fact]
    public async Task Predict_answers_the_logits_and_prediction_of_each_example_in_order()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        using var response = await running.Client.PostAsync("/v1/predict", Json.Inputs([1, 0, 0, 0], [0, 3, 0, 1], [0.5f, 0.25f, 2, -1]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var answer = await Json.ReadAsync(response);
        var logits = Json.Logits(answer);
        Assert.Equal([2f, 0, 0], logits[0]);
        Assert.Equal([1f, 7, 1], logits[1]);
        Assert.Equal([0f, -0.5f, 3], logits[2]);
        Assert.Equal([0, 1, 2], Json.Predictions(answer));
    }

    /// <summary>Each kind of bad body gets a 400 ProblemDetails naming its reason, and the next good request is answered.</summary>
    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_bad_request_is_refused_with_its_reason_and_the_server_still_answers(string body, string reason)
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(), Options());

        using var response = await running.Client.PostAsync("/v1/predict", Json.Body(body));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, reason);
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>A body over the limit is refused with 413, whether its length is declared or it is sent in chunks.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_refused_as_too_large(bool declaresLength)
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(), Options());
        var json = "{\"inputs\": [" + string.Join(", ", Enumerable.Repeat("[1.000000, 2.000000, 3.000000, 4.000000]", 200)) + "]}";
        Assert.True(Encoding.UTF8.GetByteCount(json) > MaxBody);
        HttpContent content = declaresLength ? Json.Body(json) : new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
        if (!declaresLength) content.Headers.ContentType = new("application/json");

        using var response = await running.Client.PostAsync("/v1/predict", content);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "too-large");
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>When the queue is full the server answers 503 with Retry-After and the reason, and answers again once it drains.</summary>
    [Fact]
    public async Task An_overloaded_server_answers_503_with_Retry_After()
    {
        var model = new FakeStudentModel(held: true);
        await using var running = await RunningServer.StartAsync(model,
            new ServingOptions { Batching = new BatchingOptions { MaxBatchSize = 1, MaxWait = TimeSpan.Zero, QueueCapacity = 1 } });
        var batcher = (DynamicBatcher)running.Server.Services.GetService(typeof(DynamicBatcher))!;
        var running1 = running.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(1)));
        await model.WaitForBatchAsync();
        var queued = running.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(2)));
        while (batcher.QueueDepth < 1) await Task.Delay(10);

        using var refused = await running.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(3)));

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "overloaded");
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        model.Release();
        using (var first = await running1) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var second = await queued) Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>A model failure is a 500 ProblemDetails that tells the client nothing of the internals; the next batch is answered.</summary>
    [Fact]
    public async Task A_model_failure_is_a_500_problem_and_the_server_still_answers()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        using var response = await running.Client.PostAsync("/v1/predict", Json.Inputs([FakeStudentModel.Poison, 0, 0, 0]));

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError, "model-failed");
        Assert.DoesNotContain("Poisoned", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>Logits that overflow (inputs near the float range) are refused as 422 rather than sent as invalid JSON.</summary>
    [Fact]
    public async Task Logits_that_overflow_are_refused_as_unprocessable()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        using var response = await running.Client.PostAsync("/v1/predict", Json.Body("""{"inputs": [[3e38, 0, 0, 3e38]]}"""));

        await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "non-finite-output");
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>A wrong method and an unknown route get ProblemDetails too.</summary>
    [Fact]
    public async Task A_wrong_method_and_an_unknown_route_get_problem_details()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        using var wrongMethod = await running.Client.GetAsync("/v1/predict");
        using var unknown = await running.Client.PostAsync("/v1/predictions", Json.Inputs(Examples.Of(0)));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("application/problem+json", wrongMethod.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Bytes that are not HTTP at all are Kestrel's to refuse; the server goes on answering.</summary>
    [Fact]
    public async Task Garbage_on_the_socket_does_not_take_the_server_down()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(running.Server.Address.Host, running.Server.Address.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync("POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"inputs\": [[1,"u8.ToArray());
            socket.Client.Shutdown(SocketShutdown.Send); // the body ends 35 bytes early
            // Read the answer until Kestrel closes the connection (or give up after a while: either way it must still serve).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var buffer = new byte[4096];
            try
            {
                while (await stream.ReadAsync(buffer, patience.Token) > 0) { }
            }
            catch (Exception error) when (error is IOException or OperationCanceledException)
            {
            }
        }

        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary><c>GET /healthz</c> answers ok; <c>GET /v1/model</c> tells a client the example shape, classes and limits.</summary>
    [Fact]
    public async Task Health_and_model_description_tell_a_client_what_to_send()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(), Options());

        using var health = await running.Client.GetAsync("/healthz");
        using var model = await running.Client.GetAsync("/v1/model");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ok", (await Json.ReadAsync(health)).GetProperty("status").GetString());
        var description = await Json.ReadAsync(model);
        Assert.Equal([4L], description.GetProperty("exampleShape").EnumerateArray().Select(value => value.GetInt64()));
        Assert.Equal(4, description.GetProperty("exampleLength").GetInt32());
        Assert.Equal(3, description.GetProperty("classes").GetInt32());
        Assert.Equal(MaxExamples, description.GetProperty("maxExamplesPerRequest").GetInt32());
        Assert.Equal(16, description.GetProperty("maxBatchSize").GetInt32());
        Assert.Equal(MaxBody, description.GetProperty("maxRequestBodyBytes").GetInt64());
    }

    /// <summary>The server listens on the address it was given, with the port it picked, and nowhere else.</summary>
    [Fact]
    public async Task The_server_listens_only_where_it_was_told()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        var address = Assert.Single(running.Server.Addresses);
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(0, address.Port);
    }

    /// <summary>A port already taken fails the start with an IOException, and the first server keeps answering.</summary>
    [Fact]
    public async Task A_taken_port_fails_the_start()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel());

        await Assert.ThrowsAnyAsync<IOException>(() => StudentServer.StartAsync(new FakeStudentModel(),
            new ServingOptions { Urls = $"http://127.0.0.1:{running.Server.Address.Port}" }));
        await AssertStillAnswersAsync(running.Client);
    }

    /// <summary>Bad settings fail the start with every problem, each naming its setting.</summary>
    [Fact]
    public async Task Invalid_settings_fail_the_start_naming_each_setting()
    {
        var options = new ServingOptions
        {
            Urls = "http://*:8080;https://127.0.0.1:8443",
            MaxExamplesPerRequest = 65,
            MaxRequestBodyBytes = 10,
        };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StudentServer.StartAsync(new FakeStudentModel(), options));

        Assert.Equal(4, error.Failures.Count());
        Assert.Equal(2, error.Failures.Count(failure => failure.StartsWith("ServingOptions.Urls has", StringComparison.Ordinal)));
        Assert.Contains(error.Failures, failure => failure.StartsWith("ServingOptions.MaxExamplesPerRequest is 65", StringComparison.Ordinal));
        Assert.Contains(error.Failures, failure => failure.StartsWith("ServingOptions.MaxRequestBodyBytes is 10", StringComparison.Ordinal));
        Assert.Empty(new ServingOptions().Validate());
        Assert.Empty(new ServingOptions { Urls = "http://127.0.0.1:0; http://[::1]:9000 ;http://localhost:80" }.Validate());
    }

    private static ServingOptions Options() => new()
    {
        MaxExamplesPerRequest = MaxExamples,
        MaxRequestBodyBytes = MaxBody,
        Batching = new BatchingOptions { MaxBatchSize = 16, MaxWait = TimeSpan.FromMilliseconds(1) },
    };

    private static async Task<System.Text.Json.JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json.ReadAsync(response);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private static async Task AssertStillAnswersAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(7)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeStudentModel.Expected(Examples.Of(7)), Assert.Single(Json.Logits(await Json.ReadAsync(response))));
    }

    // A stream whose length is unknown, so HttpClient sends it chunked, without Content-Length.
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
