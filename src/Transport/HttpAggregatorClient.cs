using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Transport;

/// <summary>
/// <see cref="IAggregatorGrain"/> over the aggregator's HTTP API: what a participant silo and the
/// console use to reach a remote aggregator. A refusal comes back as the same
/// <see cref="FederationException"/> the aggregator threw, rebuilt from the ProblemDetails body.
/// </summary>
/// <remarks>
/// The participant id passed to participant calls goes into the route; the aggregator checks it
/// against the caller's certificate, so a client cannot act as another organization.
/// Network failures surface as <see cref="HttpRequestException"/>.
/// </remarks>
public sealed class HttpAggregatorClient : IAggregatorGrain
{
    private readonly HttpClient _http;

    /// <summary>Wraps an <see cref="HttpClient"/> whose base address is the aggregator's root URL; the caller owns the client.</summary>
    public HttpAggregatorClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null) throw new ArgumentException("The HttpClient needs the aggregator's URL as its BaseAddress.", nameof(http));
        _http = http;
    }

    /// <inheritdoc />
    public Task<FederationInfo> GetFederationAsync(CancellationToken cancellationToken) =>
        GetAsync(AggregatorRoutes.Federation, ProtocolJsonContext.Default.FederationInfo, cancellationToken);

    /// <inheritdoc />
    public Task<ParticipantInfo> RegisterParticipantAsync(RegisterParticipantRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, AggregatorRoutes.Participants, JsonContent.Create(request, ProtocolJsonContext.Default.RegisterParticipantRequest),
            ProtocolJsonContext.Default.ParticipantInfo, cancellationToken);

    /// <inheritdoc />
    public async Task RemoveParticipantAsync(string participantId, CancellationToken cancellationToken)
    {
        using var response = await _http.DeleteAsync(AggregatorRoutes.Participant(participantId), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync(CancellationToken cancellationToken) =>
        await GetAsync(AggregatorRoutes.Participants, ProtocolJsonContext.Default.ListParticipantInfo, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<ParticipantInfo> ReportAsync(string participantId, ParticipantReport report, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, AggregatorRoutes.Report(participantId), JsonContent.Create(report, ProtocolJsonContext.Default.ParticipantReport),
            ProtocolJsonContext.Default.ParticipantInfo, cancellationToken);

    /// <inheritdoc />
    public Task<RoundInfo> StartRoundAsync(RoundSettings settings, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, AggregatorRoutes.Rounds, JsonContent.Create(settings, ProtocolJsonContext.Default.RoundSettings),
            ProtocolJsonContext.Default.RoundInfo, cancellationToken);

    /// <inheritdoc />
    public Task<RoundInfo> CancelRoundAsync(int round, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, AggregatorRoutes.CancelRound(round), null, ProtocolJsonContext.Default.RoundInfo, cancellationToken);

    /// <inheritdoc />
    public Task<RoundInfo> GetRoundAsync(int round, CancellationToken cancellationToken) =>
        GetAsync(AggregatorRoutes.Round(round), ProtocolJsonContext.Default.RoundInfo, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<RoundInfo>> ListRoundsAsync(CancellationToken cancellationToken) =>
        await GetAsync(AggregatorRoutes.Rounds, ProtocolJsonContext.Default.ListRoundInfo, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<RoundAssignment?> GetAssignmentAsync(string participantId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(AggregatorRoutes.Assignment(participantId), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.RoundAssignment, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<UploadReceipt> SubmitAsync(string participantId, int round, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(AggregatorRoutes.SafetensorsMediaType);
        return await SendAsync(HttpMethod.Put, AggregatorRoutes.Upload(round, participantId), content, ProtocolJsonContext.Default.UploadReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<byte[]> GetConsensusAsync(string? participantId, int round, CancellationToken cancellationToken) =>
        GetBytesAsync(AggregatorRoutes.Consensus(round), cancellationToken);

    /// <inheritdoc />
    public Task<byte[]> GetStudentAsync(int version, CancellationToken cancellationToken) =>
        GetBytesAsync(AggregatorRoutes.Student(version), cancellationToken);

    /// <summary>
    /// Turns an error response into the <see cref="FederationException"/> it stands for: the
    /// ProblemDetails' <c>reason</c> extension and <c>detail</c>, and the kind from the status.
    /// </summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? reason = null, detail = null;
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (problem.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String) reason = r.GetString();
                if (problem.RootElement.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString();
                else if (problem.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) detail = t.GetString();
            }
        }
        catch (JsonException)
        {
            // Not ProblemDetails (a proxy's page, an empty body): the status and raw text still say what happened.
        }

        var status = (int)response.StatusCode;
        var kind = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => FederationErrorKind.Forbidden,
            HttpStatusCode.NotFound => FederationErrorKind.NotFound,
            HttpStatusCode.Conflict => FederationErrorKind.Conflict,
            HttpStatusCode.RequestEntityTooLarge => FederationErrorKind.PayloadTooLarge,
            _ when status is >= 400 and < 500 => FederationErrorKind.Invalid,
            _ => throw new HttpRequestException($"The aggregator answered {status} {response.ReasonPhrase}: {detail ?? Truncate(text)}", null, response.StatusCode),
        };
        throw new FederationException(kind, reason ?? $"http-{status}", detail ?? $"The aggregator answered {status} {response.ReasonPhrase}. {Truncate(text)}".Trim());
    }

    private async Task<T> GetAsync<T>(string route, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(route, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string route, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, route) { Content = content, Version = _http.DefaultRequestVersion, VersionPolicy = _http.DefaultVersionPolicy };
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, type, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> GetBytesAsync(string route, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(route, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new HttpRequestException($"The aggregator answered {(int)response.StatusCode} with an empty body where {typeof(T).Name} was expected.");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
