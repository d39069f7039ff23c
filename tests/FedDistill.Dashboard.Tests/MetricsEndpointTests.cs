using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FedDistill.Dashboard.Tests.Support;

namespace FedDistill.Dashboard.Tests;

/// <summary><c>GET /metrics</c>: Prometheus text of the aggregator silo's meters, scraped anonymously after a round.</summary>
[Collection(DashboardCollection.Name)]
public sealed partial class MetricsEndpointTests(DashboardFederation fixture)
{
    /// <summary>
    /// Proves /metrics answers anonymously in the Prometheus text format, and that its counters
    /// move with what happened: a completed round's uploads and bytes, a refusal by the aggregator
    /// grain (impersonation from the cluster client) and one by the web side's security (no identity).
    /// </summary>
    [Fact]
    public async Task Metrics_count_rounds_uploads_bytes_rejections_and_durations_after_a_round()
    {
        var round = await fixture.CompletedRoundAsync();
        using var anonymous = fixture.CreateAnonymousClient();
        await fixture.ImpersonateAsync("hospital-1", round.Round);
        using (var unauthenticated = await anonymous.GetAsync("/dashboard/api/participants"))
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        var impersonations = (await fixture.Admin.ListRejectionsAsync()).Count(r => r.Reason == "impersonation");

        using var response = await anonymous.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType.ToString(), StringComparison.Ordinal);

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || SampleLine().IsMatch(line), $"not exposition format: '{line}'");
        var samples = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#'))
            .Select(line => SampleLine().Match(line)).ToDictionary(m => m.Groups["series"].Value, m => double.Parse(m.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture));
        double Sample(string series) => samples.TryGetValue(series, out var value) ? value : throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");

        Assert.Contains("# TYPE feddistill_rounds_started_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE feddistill_round_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE feddistill_participants gauge", text, StringComparison.Ordinal);
        Assert.True(Sample("feddistill_rounds_started_total") >= 1);
        Assert.True(Sample("feddistill_rounds_ended_total{state=\"completed\"}") >= 1);
        Assert.True(Sample("feddistill_uploads_total") >= DashboardFederation.Participants);
        // float16 soft labels: at least 2 bytes per logit per participant.
        Assert.True(Sample("feddistill_upload_bytes_total") >= DashboardFederation.Participants * DashboardFederation.PublicExamples * 10 * 2);
        Assert.True(Sample("feddistill_upload_bytes_total") >= round.Result!.UploadedBytes);
        Assert.True(Sample("feddistill_download_bytes_total") >= 0);
        // Each refusal the grain keeps was counted once (the grain keeps them all while there are few).
        Assert.Equal(impersonations, Sample("feddistill_rejections_total{reason=\"impersonation\"}"));
        Assert.True(Sample("feddistill_security_rejections_total{kind=\"missing-identity\"}") >= 1);
        Assert.Equal(DashboardFederation.Participants, Sample("feddistill_participants"));

        // Histograms: cumulative buckets ending in +Inf = _count, and a sum.
        var buckets = samples.Where(s => s.Key.StartsWith("feddistill_round_duration_seconds_bucket{state=\"completed\"", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.True(buckets.Count >= 10, $"{buckets.Count} buckets");
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(Sample("feddistill_round_duration_seconds_count{state=\"completed\"}"), Sample("feddistill_round_duration_seconds_bucket{state=\"completed\",le=\"+Inf\"}"));
        Assert.True(Sample("feddistill_round_duration_seconds_sum{state=\"completed\"}") > 0);
        Assert.True(Sample("feddistill_student_training_duration_seconds_count") >= 1);
        Assert.True(Sample("feddistill_student_training_duration_seconds_sum") > 0);
        Assert.Equal(Sample("feddistill_student_training_duration_seconds_count"), Sample("feddistill_student_training_duration_seconds_bucket{le=\"+Inf\"}"));
    }

    // name{labels} value, the labels' values quoted.
    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})?) (?<value>[-+]?(?:[0-9.eE+-]+|Inf|NaN))$""")]
    private static partial Regex SampleLine();
}
