using System.Globalization;
using FedDistill.Serving.Batching;

namespace FedDistill.Serving.Hosting;

/// <summary>
/// How the student server listens and what it accepts; bound from <c>FedDistill:Serving</c>
/// (or set by <c>feddistill serve</c>'s options), checked at start.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Serving";

    /// <summary>The default of <see cref="Urls"/>: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>The smallest <see cref="MaxRequestBodyBytes"/> accepted.</summary>
    public const long MinRequestBodyBytes = 1024;

    /// <summary>The largest <see cref="MaxRequestBodyBytes"/> accepted.</summary>
    public const long MaxRequestBodyBytesLimit = 1L << 30;

    /// <summary>
    /// Where <see cref="StudentServer"/> listens, <c>;</c>-separated <c>http://host:port</c> URLs
    /// with an explicit address (<c>127.0.0.1</c>, <c>[::1]</c>, <c>localhost</c>, or <c>0.0.0.0</c>
    /// to listen on every interface, when that is meant); port 0 picks a free port. The server
    /// listens there and nowhere else. Plain HTTP: put TLS in a proxy in front.
    /// </summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>
    /// Most examples in one request, in [1, <see cref="BatchingOptions.MaxBatchSize"/>]; null means
    /// <see cref="BatchingOptions.MaxBatchSize"/> (a request's examples always run in one batch).
    /// </summary>
    public int? MaxExamplesPerRequest { get; init; }

    /// <summary>
    /// The largest request body in bytes, in [1 KiB, 1 GiB]; a larger one is refused (413) without
    /// being read whole. The default, 16 MiB, holds 64 colour 32×32 images as JSON text.
    /// </summary>
    public long MaxRequestBodyBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>How requests are gathered into batches.</summary>
    public BatchingOptions Batching { get; init; } = new();

    /// <summary><see cref="MaxExamplesPerRequest"/> with its default applied.</summary>
    public int EffectiveMaxExamplesPerRequest => MaxExamplesPerRequest ?? Batching.MaxBatchSize;

    /// <summary>Every problem, each naming its setting (<c>ServingOptions.Urls</c>, <c>BatchingOptions.MaxWait</c>, …); empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        errors.AddRange(ValidateUrls(Urls));
        if (Batching is null)
        {
            errors.Add("ServingOptions.Batching is null; leave it out for the defaults.");
            return errors;
        }
        errors.AddRange(Batching.Validate());
        if (MaxExamplesPerRequest is { } most && (most < 1 || most > Batching.MaxBatchSize))
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"ServingOptions.MaxExamplesPerRequest is {most}; it must be in [1, BatchingOptions.MaxBatchSize = {Batching.MaxBatchSize}] (a request runs in one batch)."));
        if (MaxRequestBodyBytes is < MinRequestBodyBytes or > MaxRequestBodyBytesLimit)
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"ServingOptions.MaxRequestBodyBytes is {MaxRequestBodyBytes}; it must be in [{MinRequestBodyBytes}, {MaxRequestBodyBytesLimit}]."));
        return errors;
    }

    /// <summary>The URLs of <see cref="Urls"/>, trimmed; call after <see cref="Validate"/> found none wrong.</summary>
    public IReadOnlyList<string> UrlList => (Urls ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private IEnumerable<string> ValidateUrls(string? urls)
    {
        if (string.IsNullOrWhiteSpace(urls))
        {
            yield return $"ServingOptions.Urls is empty; give where to listen, e.g. {DefaultUrls}.";
            yield break;
        }

        foreach (var url in UrlList)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.Host.Length == 0)
                yield return $"ServingOptions.Urls has '{url}'; each URL must be http://ADDRESS:PORT with an explicit address, e.g. {DefaultUrls} (plain HTTP; put TLS in a proxy in front).";
            else if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
                yield return $"ServingOptions.Urls has '{url}'; give only scheme, address and port (the routes are fixed: /v1/predict, /healthz, /metrics).";
        }
    }
}
