using System.Text;
using System.Text.Json;
using FedDistill.Silo.Dashboard;
using FedDistill.Silo.Hosting;
using FedDistill.Silo.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Endpoints;

/// <summary>
/// What the dashboard reads (admin only): the federation's read model from the aggregator grain,
/// recent refusals with counts by reason, and <c>events</c>, a <c>text/event-stream</c> of changes.
/// </summary>
public static partial class DashboardApiEndpoints
{
    /// <summary>The media type of the event stream.</summary>
    public const string EventStreamMediaType = "text/event-stream";

    /// <summary>The routes' prefix.</summary>
    public const string Prefix = "/dashboard/api";

    /// <summary>
    /// Maps the dashboard's read model under <see cref="Prefix"/>, admin only: <c>federation</c>,
    /// <c>participants</c>, <c>rounds</c>, <c>rejections</c> (read from the aggregator grain) and
    /// <c>events</c> (a server-sent event stream of changes).
    /// </summary>
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(Prefix).AddEndpointFilter<FederationProblemFilter>().RequireAuthorization(FederationPolicies.Admin);
        api.MapGet("/events", StreamAsync).Produces(StatusCodes.Status200OK, contentType: EventStreamMediaType);
        api.MapGet("/federation", (FederationGrain federation) => federation.Grain.GetFederationAsync());
        api.MapGet("/participants", (FederationGrain federation) => federation.Grain.ListParticipantsAsync());
        api.MapGet("/rounds", (FederationGrain federation) => federation.Grain.ListRoundsAsync());
        api.MapGet("/rejections", (FederationGrain federation, CancellationToken token, int? limit) =>
            RejectionSummaryBuilder.BuildAsync(federation.Grain, limit ?? 100, token));
        return endpoints;
    }

    // Writes the stream by hand (rather than TypedResults.ServerSentEvents) for the heartbeats
    // and the ready event; ends quietly when the client goes away or the silo stops.
    private static async Task StreamAsync(HttpContext context, DashboardEventHub hub, IOptions<DashboardOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DashboardApiEndpoints).FullName!);
        var aborted = context.RequestAborted;
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var response = context.Response;
        response.ContentType = EventStreamMediaType;
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = hub.Subscribe();
        var caller = context.GetFederationIdentity()?.ToString() ?? "unknown";
        LogOpened(logger, caller, hub.SubscriberCount);
        var sent = 0;
        try
        {
            await response.WriteAsync($"retry: 3000\n\n", aborted);
            await WriteAsync(response, "ready", Pulse(time, heartbeat), aborted);
            await response.Body.FlushAsync(aborted);
            while (true)
            {
                bool more;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(aborted))
                {
                    wait.CancelAfter(heartbeat);
                    try
                    {
                        more = await subscription.Events.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                    {
                        await WriteAsync(response, "heartbeat", Pulse(time, heartbeat), aborted);
                        await response.Body.FlushAsync(aborted);
                        continue;
                    }
                }

                if (!more) break; // the silo is stopping
                while (subscription.Events.TryRead(out var item))
                {
                    await WriteAsync(response, item.Type, item.Data, aborted);
                    sent++;
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The browser closed the stream or navigated away: the normal end of a stream.
        }

        LogClosed(logger, caller, sent);
    }

    private static string Pulse(TimeProvider time, TimeSpan heartbeat) =>
        JsonSerializer.Serialize(new DashboardPulse(time.GetUtcNow(), (int)heartbeat.TotalSeconds), DashboardJsonContext.Default.DashboardPulse);

    // JSON from the serializer is one line, so one data field carries it.
    private static Task WriteAsync(HttpResponse response, string type, string json, CancellationToken token)
    {
        var frame = new StringBuilder(json.Length + type.Length + 16).Append("event: ").Append(type).Append("\ndata: ").Append(json).Append("\n\n");
        return response.WriteAsync(frame.ToString(), token);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream opened by {Caller} ({Streams} open)")]
    private static partial void LogOpened(ILogger logger, string caller, int streams);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event stream of {Caller} closed after {Events} events")]
    private static partial void LogClosed(ILogger logger, string caller, int events);
}
