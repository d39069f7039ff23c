using System.Net;
using System.Text.Json;
using FedDistill.Dashboard.Tests.Support;

namespace FedDistill.Dashboard.Tests;

/// <summary><c>GET /v1/events</c> and <c>GET /v1/rejections</c> over plain HTTP clients.</summary>
[Collection(DashboardCollection.Name)]
public sealed class EventStreamTests(DashboardFederation fixture)
{
    [Fact]
    public async Task The_event_stream_sends_ready_then_each_rejection_and_heartbeats_and_the_summary_counts_it()
    {
        using var admin = fixture.Federation.CreateClient("admin");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events") { Version = admin.DefaultRequestVersion, VersionPolicy = admin.DefaultVersionPolicy };
        using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var ready = await NextEventAsync(reader, "ready", timeout.Token);
        Assert.Equal(2, ready.GetProperty("heartbeatSeconds").GetInt32());

        using (var participant = fixture.Federation.CreateParticipantClient(1))
        using (var refused = await participant.PutAsync("/v1/rounds/4242/uploads/hospital-2", new ByteArrayContent([0]), timeout.Token))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        var rejection = await NextEventAsync(reader, "rejection", timeout.Token);
        Assert.Equal("unknown-round", rejection.GetProperty("reason").GetString());
        Assert.Equal("hospital-2", rejection.GetProperty("participantId").GetString());
        Assert.Equal(4242, rejection.GetProperty("roundNumber").GetInt32());
        var heartbeat = await NextEventAsync(reader, "heartbeat", timeout.Token);
        Assert.True(heartbeat.TryGetProperty("at", out _));

        using var summary = JsonDocument.Parse(await admin.GetStringAsync("/v1/rejections?limit=5", timeout.Token));
        var counts = summary.RootElement.GetProperty("countsByReason");
        Assert.True(counts.GetProperty("unknown-round").GetInt32() >= 1, counts.ToString());
        var recent = summary.RootElement.GetProperty("recent").EnumerateArray().ToList();
        Assert.InRange(recent.Count, 1, 5);
        Assert.Contains(recent, r => r.GetProperty("roundNumber").GetInt32() == 4242);
    }

    [Fact]
    public async Task Only_the_admin_may_watch_events_or_list_rejections()
    {
        using var anonymous = fixture.CreateAnonymousClient();
        using var participant = fixture.Federation.CreateParticipantClient(0);
        foreach (var path in new[] { "/v1/events", "/v1/rejections" })
        {
            using (var none = await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
                Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            using (var member = await participant.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
                Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
        }
    }

    // Reads event frames until one of the wanted type; returns its JSON payload.
    private static async Task<JsonElement> NextEventAsync(StreamReader reader, string type, CancellationToken token)
    {
        string? name = null, data = null;
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
            else if (line.Length == 0)
            {
                if (name == type && data is not null) return JsonDocument.Parse(data).RootElement.Clone();
                name = data = null;
            }
        }

        throw new EndOfStreamException($"the event stream ended before a '{type}' event");
    }
}
