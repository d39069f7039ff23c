using System.Buffers;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// The student's versioned API: <c>POST /v1/predict</c> (<c>{"inputs": [[...], ...]}</c> to
/// <c>{"logits": [[...]], "predictions": [...]}</c>, through <see cref="DynamicBatcher"/>) and
/// <c>GET /v1/model</c> (<see cref="ModelDescription"/>).
/// </summary>
/// <remarks>
/// Every refusal is ProblemDetails with a machine-readable <c>reason</c> (<see cref="PredictionProblem"/>):
/// 400 for a body that is not a valid request, 413 for one over
/// <see cref="ServingOptions.MaxRequestBodyBytes"/>, 503 with <c>Retry-After</c> when the queue is
/// full, 500 when the student fails. A bad request costs the server the bytes it sent and nothing else.
/// </remarks>
public static partial class PredictionEndpoints
{
    /// <summary>The route prefix of the versioned API.</summary>
    public const string Prefix = "/v1";

    /// <summary>The prediction route.</summary>
    public const string PredictRoute = Prefix + "/predict";

    /// <summary>The model description route.</summary>
    public const string ModelRoute = Prefix + "/model";

    private const int ReadChunkBytes = 81920;
    private const long FirstBufferBytes = 1024 * 1024;

    /// <summary>Maps <c>POST /v1/predict</c> and <c>GET /v1/model</c>.</summary>
    public static IEndpointRouteBuilder MapPrediction(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup(Prefix);
        // No Accepts metadata: routing would answer 415 to `curl -d` (form content type) before the
        // body is looked at; the body is read as JSON whatever its declared type, and refused with a reason if it is not.
        api.MapPost("/predict", PredictAsync)
            .Produces<PredictionResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/model", (DynamicBatcher batcher, IStudentModel model, IOptions<ServingOptions> options) =>
        {
            var settings = options.Value;
            return TypedResults.Ok(new ModelDescription([.. model.ExampleShape], batcher.ExampleLength, batcher.Classes, settings.EffectiveMaxExamplesPerRequest,
                batcher.Options.MaxBatchSize, batcher.Options.MaxWait.TotalMilliseconds, batcher.Options.QueueCapacity, settings.MaxRequestBodyBytes));
        });
        return endpoints;
    }

    private static async Task<IResult> PredictAsync(HttpContext context, DynamicBatcher batcher, IStudentModel model, ServingMetrics metrics,
        IOptions<ServingOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var started = time.GetTimestamp();
        var logger = loggers.CreateLogger(typeof(PredictionEndpoints).FullName!);
        var settings = options.Value;
        var aborted = context.RequestAborted;

        var binary = IsBinary(context.Request.ContentType);
        var (body, length, readProblem) = await ReadBodyAsync(context, settings.MaxRequestBodyBytes, aborted);
        if (readProblem is not null)
        {
            // The rest of the body is never read, so the connection cannot carry another request:
            // say so, or a client that reuses it finds it closed under its next request.
            context.Response.Headers.Connection = "close";
            return Refuse(readProblem, metrics, logger);
        }

        PredictionRequest? request;
        PredictionProblem? problem;
        try
        {
            var read = binary
                ? BinaryPredictionReader.TryRead(body.AsSpan(0, length), model.ExampleShape, settings.EffectiveMaxExamplesPerRequest,
                    StatedExamples(context.Request), out request, out problem)
                : PredictionRequestReader.TryRead(body.AsSpan(0, length), model.ExampleShape, settings.EffectiveMaxExamplesPerRequest, out request, out problem);
            if (!read) return Refuse(problem!, metrics, logger);
        }
        finally
        {
            // The readers copied the values out: the body's buffer goes back to the pool before the wait for a batch.
            ArrayPool<byte>.Shared.Return(body);
        }

        float[] logits;
        try
        {
            logits = await batcher.PredictAsync(request!.Inputs, aborted);
        }
        catch (BatcherOverloadedException overloaded)
        {
            return Refuse(new PredictionProblem(PredictionProblem.Overloaded, overloaded.Message, StatusCodes.Status503ServiceUnavailable), metrics, logger);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: nobody reads an answer, but the count and the log should show it.
            Refuse(new PredictionProblem(PredictionProblem.Cancelled, "The client closed the request.", PredictionProblem.ClientClosedRequest), metrics, logger);
            return Results.Empty;
        }
        catch (Exception error) when (error is not OutOfMemoryException and not OperationCanceledException)
        {
            // The batcher logged the model's exception; the client gets no internals.
            return Refuse(new PredictionProblem(PredictionProblem.ModelFailed,
                "The student failed on the batch that held this request; the server's log has the error.", StatusCodes.Status500InternalServerError), metrics, logger);
        }

        var classes = batcher.Classes;
        if (binary)
        {
            for (var i = 0; i < request!.Count; i++)
                if (!AllFinite(logits.AsSpan(i * classes, classes)))
                    return Refuse(new PredictionProblem(PredictionProblem.NonFiniteOutput,
                        $"The student's logits for example {i} are not all finite (inputs this large overflow it).", StatusCodes.Status422UnprocessableEntity), metrics, logger);
            metrics.RecordServed(request.Count, time.GetElapsedTime(started));
            return new BinaryLogitsResult(logits);
        }

        var rows = new float[request!.Count][];
        var predictions = new int[request.Count];
        for (var i = 0; i < request.Count; i++)
        {
            var row = logits.AsSpan(i * classes, classes);
            if (!AllFinite(row))
                return Refuse(new PredictionProblem(PredictionProblem.NonFiniteOutput,
                    $"The student's logits for inputs[{i}] are not all finite (inputs this large overflow it).", StatusCodes.Status422UnprocessableEntity), metrics, logger);
            rows[i] = row.ToArray();
            predictions[i] = ArgMax(row);
        }

        metrics.RecordServed(request.Count, time.GetElapsedTime(started));
        return TypedResults.Ok(new PredictionResponse(rows, predictions));
    }

    // Reads the body against the limit: a declared or actual size over it is refused without
    // buffering the rest (Kestrel's own limit is set just above, as a backstop).
    private static async Task<(byte[] Body, int Length, PredictionProblem? Problem)> ReadBodyAsync(HttpContext context, long limit, CancellationToken cancellationToken)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature) sizeFeature.MaxRequestBodySize = limit + 1;
        if (context.Request.ContentLength is { } declared && declared > limit)
            return ([], 0, TooLarge($"The body declares {declared} bytes; the limit is {limit} (ServingOptions.MaxRequestBodyBytes)."));

        // Sized from the declared length (up to a first chunk of 1 MiB: a declaration is not yet bytes) and grown as bytes arrive;
        // rented from the pool, so that a request costs no new buffer: the caller returns it once the body is parsed.
        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Min(Math.Min(context.Request.ContentLength ?? ReadChunkBytes, FirstBufferBytes), limit) + 1);
        var length = 0;
        PredictionProblem? problem = null;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = pool.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0) break;
                length += read;
                if (length > limit)
                {
                    problem = TooLarge($"The body is larger than the limit of {limit} bytes (ServingOptions.MaxRequestBodyBytes).");
                    break;
                }
            }
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            problem = TooLarge($"The body is larger than the limit of {limit} bytes (ServingOptions.MaxRequestBodyBytes).");
        }
        catch (BadHttpRequestException error)
        {
            problem = new PredictionProblem(PredictionProblem.TruncatedBody, $"The body could not be read whole: {error.Message}");
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }

        if (problem is null) return (buffer, length, null);
        pool.Return(buffer);
        return ([], 0, problem);
    }

    // application/octet-stream, whatever its parameters; every other type (none, JSON, curl's form type) is read as JSON.
    private static bool IsBinary(string? contentType)
    {
        if (contentType is null) return false;
        var end = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (end < 0 ? contentType.AsSpan() : contentType.AsSpan(0, end)).Trim();
        return mediaType.Equals(BinaryPredictionReader.ContentType, StringComparison.OrdinalIgnoreCase);
    }

    private static string? StatedExamples(HttpRequest request)
    {
        var values = request.Headers[BinaryPredictionReader.ExamplesHeader];
        return values.Count == 0 ? null : values.ToString();
    }

    private static PredictionProblem TooLarge(string detail) => new(PredictionProblem.TooLarge, detail, StatusCodes.Status413PayloadTooLarge);

    private static IResult Refuse(PredictionProblem problem, ServingMetrics metrics, ILogger logger)
    {
        metrics.RecordRefused(problem.Outcome, problem.Reason);
        LogRefused(logger, problem.Status, problem.Reason, problem.Detail);
        return problem.ToResult();
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
            if (!float.IsFinite(value)) return false;
        return true;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Refused a prediction request ({Status} {Reason}): {Detail}")]
    private static partial void LogRefused(ILogger logger, int status, string reason, string detail);
}
