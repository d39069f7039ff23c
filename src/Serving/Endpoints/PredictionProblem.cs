using Microsoft.AspNetCore.Http;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// Why a prediction request got no logits: a machine-readable <see cref="Reason"/> (one of the
/// constants here), a sentence for people, the HTTP status, and the coarse outcome the
/// <c>feddistill.serving.requests</c> counter files it under. Sent as ProblemDetails with the
/// reason in its <c>reason</c> member.
/// </summary>
/// <param name="Reason">The machine-readable reason, e.g. <see cref="WrongLength"/>.</param>
/// <param name="Detail">What was wrong and what is expected, e.g. which example had how many numbers.</param>
/// <param name="Status">The HTTP status.</param>
public sealed record PredictionProblem(string Reason, string Detail, int Status = StatusCodes.Status400BadRequest)
{
    /// <summary>The body is empty.</summary>
    public const string EmptyBody = "empty-body";

    /// <summary>The body is not JSON (which includes NaN and Infinity literals).</summary>
    public const string NotJson = "not-json";

    /// <summary>The JSON is not an object with an array of examples in <c>inputs</c>.</summary>
    public const string WrongStructure = "wrong-structure";

    /// <summary>The object has a member other than <c>inputs</c>.</summary>
    public const string UnknownProperty = "unknown-property";

    /// <summary>The object has no <c>inputs</c>.</summary>
    public const string MissingInputs = "missing-inputs";

    /// <summary><c>inputs</c> is empty.</summary>
    public const string NoExamples = "no-examples";

    /// <summary>More examples than <c>ServingOptions.MaxExamplesPerRequest</c>.</summary>
    public const string TooManyExamples = "too-many-examples";

    /// <summary>An example is not a flat array of numbers.</summary>
    public const string WrongShape = "wrong-shape";

    /// <summary>An example has the wrong number of values.</summary>
    public const string WrongLength = "wrong-length";

    /// <summary>A value is not a JSON number.</summary>
    public const string NotANumber = "not-a-number";

    /// <summary>A value does not fit a finite 32-bit float (e.g. 1e39).</summary>
    public const string NonFinite = "non-finite";

    /// <summary>The body is larger than <c>ServingOptions.MaxRequestBodyBytes</c> (HTTP 413).</summary>
    public const string TooLarge = "too-large";

    /// <summary>The body ended before its declared length, or could not be read.</summary>
    public const string TruncatedBody = "truncated-body";

    /// <summary>The queue was full (HTTP 503, Retry-After).</summary>
    public const string Overloaded = "overloaded";

    /// <summary>The student failed on the batch (HTTP 500).</summary>
    public const string ModelFailed = "model-failed";

    /// <summary>The student's logits for the request are not all finite, e.g. inputs so large they overflow (HTTP 422).</summary>
    public const string NonFiniteOutput = "non-finite-output";

    /// <summary>The client went away before the answer (no response is sent; 499 in logs and metrics).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The status recorded for a request whose client went away.</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>The coarse outcome: invalid, too-large, overloaded, cancelled or failed.</summary>
    public string Outcome => Status switch
    {
        StatusCodes.Status413PayloadTooLarge => "too-large",
        StatusCodes.Status503ServiceUnavailable => "overloaded",
        ClientClosedRequest => "cancelled",
        >= 500 or StatusCodes.Status422UnprocessableEntity => "failed",
        _ => "invalid",
    };

    /// <summary>The ProblemDetails response (with <c>Retry-After: 1</c> when overloaded).</summary>
    public IResult ToResult()
    {
        var problem = TypedResults.Problem(detail: Detail, statusCode: Status, title: Title,
            extensions: new Dictionary<string, object?> { ["reason"] = Reason });
        return Status == StatusCodes.Status503ServiceUnavailable ? new RetryAfterResult(problem, 1) : problem;
    }

    private string Title => Status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Body too large",
        StatusCodes.Status503ServiceUnavailable => "Overloaded",
        StatusCodes.Status422UnprocessableEntity => "No finite logits",
        >= 500 => "Prediction failed",
        _ => "Invalid prediction request",
    };

    // Adds Retry-After to another result.
    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
