using System.Net;
using FedDistill.Dashboard.Tests.Support;
using FedDistill.Testing;

namespace FedDistill.Dashboard.Tests;

/// <summary>
/// <c>GET /metrics</c> (OpenTelemetry's Prometheus exporter): Prometheus text of the aggregator
/// silo's meters and Orleans' own, scraped anonymously from the real silo process after a round.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class MetricsEndpointTests(DashboardFederation fixture)
{
    /// <summary>
    /// Proves /metrics answers anonymously in the Prometheus text format, and that its counters
    /// move with what happened (and that Orleans' runtime metrics are there too): a completed round's uploads and bytes, a refusal by the aggregator
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

        var scrape = await PrometheusText.ScrapeAsync(anonymous);
        var (text, samples) = (scrape.Text, scrape.Samples);
        // The scrape as a test artifact, to see every series the silo exports.
        Directory.CreateDirectory(TestRepository.TestResults);
        await File.WriteAllTextAsync(Path.Combine(TestRepository.TestResults, "aggregator-metrics.txt"), text);
        double Sample(string series) => scrape[series];

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

        // Orleans' own meter (Microsoft.Orleans) is exported beside the federation's.
        // The aggregator grain is active on this silo, and Orleans counts its calls.
        Assert.Contains("# TYPE orleans_catalog_activations gauge", text, StringComparison.Ordinal);
        Assert.Equal(1, Sample("orleans_catalog_activations{grain_type=\"aggregator\"}"));
        Assert.True(Sample("orleans_app_requests_latency_milliseconds_count") >= 1);
    }
}
