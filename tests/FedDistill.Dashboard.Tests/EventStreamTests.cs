using System.Net;
using System.Text.Json;
using FedDistill.Dashboard.Tests.Support;

namespace FedDistill.Dashboard.Tests;

/// <summary><c>GET /dashboard/api/events</c> and <c>GET /dashboard/api/rejections</c> over plain HTTP clients.</summary>
[Collection(DashboardCollection.Name)]
public sealed class EventStreamTests(DashboardFederation fixture)
{
    /// <summary>
    /// Proves the stream is live: it opens with <c>ready</c>, carries a refusal the aggregator grain
    /// records after the stream opened (fed by the silo's poll of the grain), keeps beating, and
    /// the rejection summary counts the same refusal.
    /// </summary>
    [Fact]
    public async Task The_event_stream_sends_ready_then_each_rejection_and_heartbeats_and_the_summary_counts_it()
    {
        using var admin = fixture.CreateClient("admin");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await admin.GetAsync("/dashboard/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var ready = await NextEventAsync(reader, "ready", _ => true, timeout.Token);
        Assert.Equal(2, ready.GetProperty("heartbeatSeconds").GetInt32());

        // A round number no other test uses, so that this refusal is told apart from earlier ones.
        var round = 4000 + Random.Shared.Next(1000);
        await fixture.ImpersonateAsync("hospital-2", round);
        var rejection = await NextEventAsync(reader, "rejection", e => e.GetProperty("round").GetInt32() == round, timeout.Token);
        Assert.Equal("impersonation", rejection.GetProperty("reason").GetString());
        Assert.Equal("hospital-2", rejection.GetProperty("participantId").GetString());
        Assert.Contains("hospital-2", rejection.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var heartbeat = await NextEventAsync(reader, "heartbeat", _ => true, timeout.Token);
        Assert.True(heartbeat.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        using var summary = JsonDocument.Parse(await admin.GetStringAsync("/dashboard/api/rejections?limit=5", timeout.Token));
        var counts = summary.RootElement.GetProperty("countsByReason");
        var stored = await fixture.Admin.ListRejectionsAsync();
        Assert.Equal(stored.Count(r => r.Reason == "impersonation"), counts.GetProperty("impersonation").GetInt32());
        var recent = summary.RootElement.GetProperty("recent").EnumerateArray().ToList();
        Assert.InRange(recent.Count, 1, 5);
        Assert.Contains(recent, r => r.GetProperty("round").GetInt32() == round);
    }

    [Fact]
    public async Task Only_the_admin_may_watch_events_or_read_the_dashboards_data()
    {
        using var anonymous = fixture.CreateAnonymousClient();
        using var participant = fixture.CreateClient("hospital-1");
        using var admin = fixture.CreateClient("admin");
        foreach (var path in new[] { "/dashboard/api/events", "/dashboard/api/rejections", "/dashboard/api/participants", "/dashboard/api/rounds", "/dashboard/api/federation" })
        {
            using (var none = await anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
                Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{path} without an identity: {none.StatusCode}");
            using (var member = await participant.GetAsync(path, HttpCompletionOption.ResponseHeadersRead))
                Assert.True(member.StatusCode == HttpStatusCode.Forbidden, $"{path} as hospital-1: {member.StatusCode}");
        }

        using var participants = JsonDocument.Parse(await admin.GetStringAsync("/dashboard/api/participants"));
        Assert.Equal(fixture.Federation.ParticipantIds.Order(), participants.RootElement.EnumerateArray().Select(p => p.GetProperty("participantId").GetString()!).Order());
    }

    // Reads event frames until one of the wanted type that matches; returns its JSON payload.
    private static async Task<JsonElement> NextEventAsync(StreamReader reader, string type, Func<JsonElement, bool> match, CancellationToken token)
    {
        string? name = null, data = null;
        while (await reader.ReadLineAsync(token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line["data: ".Length..];
            else if (line.Length == 0)
            {
                if (name == type && data is not null)
                {
                    var payload = JsonDocument.Parse(data).RootElement.Clone();
                    if (match(payload)) return payload;
                }

                name = data = null;
            }
        }

        throw new EndOfStreamException($"the event stream ended before a '{type}' event");
    }
}
