using System.Net;
using FedDistill.Serving.Tests.Support;
using FedDistill.Testing;

namespace FedDistill.Serving.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c> (OpenTelemetry's Prometheus exporter): Prometheus text with the request
/// count by outcome, refusals by reason, the batch-size histogram, latency p50 and p99,
/// throughput and the queue depth, each server its own.
/// </summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_count_requests_batches_latency_and_throughput_in_Prometheus_text()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(delay: TimeSpan.FromMilliseconds(5)));
        var requests = Enumerable.Range(0, 20).Select(i => running.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(i), Examples.Of(i + 100)))).ToArray();
        foreach (var response in await Task.WhenAll(requests)) using (response) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var bad = await running.Client.PostAsync("/v1/predict", Json.Body("""{"inputs": [[1, 2, 3]]}""")))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var scrape = await PrometheusText.ScrapeAsync(running.Client);
        var text = scrape.Text;
        var samples = scrape.Samples;

        Assert.Equal(20, scrape["feddistill_serving_requests_total{outcome=\"ok\"}"]);
        Assert.Equal(1, scrape["feddistill_serving_requests_total{outcome=\"invalid\"}"]);
        Assert.Equal(1, scrape["feddistill_serving_rejections_total{reason=\"wrong-length\"}"]);
        Assert.Equal(40, scrape["feddistill_serving_examples_total"]);

        Assert.Contains("# TYPE feddistill_serving_batch_size histogram", text, StringComparison.Ordinal);
        var batches = scrape["feddistill_serving_batch_size_count"];
        Assert.InRange(batches, 1, 20);
        Assert.Equal(40, scrape["feddistill_serving_batch_size_sum"]);
        Assert.Equal(batches, scrape["feddistill_serving_batch_size_bucket{le=\"+Inf\"}"]);
        var buckets = samples.Where(s => s.Key.StartsWith("feddistill_serving_batch_size_bucket{", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(0, scrape["feddistill_serving_batch_size_bucket{le=\"1\"}"]); // every request held two examples
        Assert.Equal(batches, scrape["feddistill_serving_batch_duration_seconds_count"]);

        Assert.Equal(20, scrape["feddistill_serving_request_duration_seconds_count"]);
        var p50 = scrape["feddistill_serving_request_latency_seconds{quantile=\"0.5\"}"];
        var p99 = scrape["feddistill_serving_request_latency_seconds{quantile=\"0.99\"}"];
        Assert.InRange(p50, 0, p99);
        Assert.InRange(p99, 0, 60);
        Assert.Contains("# TYPE feddistill_serving_throughput_per_second gauge", text, StringComparison.Ordinal);
        Assert.True(scrape["feddistill_serving_throughput_per_second"] >= 0);
        Assert.Equal(0, scrape["feddistill_serving_queue_depth"]);
    }

    [Fact]
    public async Task Two_servers_in_one_process_each_export_only_their_own_metrics()
    {
        await using var busy = await RunningServer.StartAsync(new FakeStudentModel());
        await using var idle = await RunningServer.StartAsync(new FakeStudentModel());
        for (var i = 0; i < 3; i++)
            using (var response = await busy.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(i))))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var busyScrape = await PrometheusText.ScrapeAsync(busy.Client);
        var idleScrape = await PrometheusText.ScrapeAsync(idle.Client);

        Assert.Equal(3, busyScrape["feddistill_serving_requests_total{outcome=\"ok\"}"]);
        Assert.Equal(3, busyScrape["feddistill_serving_examples_total"]);
        Assert.Equal(3, busyScrape["feddistill_serving_request_duration_seconds_count"]);
        // The idle server's counters are its own zeros; nothing of the busy one's requests or batches shows there.
        Assert.Equal(0, idleScrape["feddistill_serving_examples_total"]);
        Assert.DoesNotContain(idleScrape.Samples.Keys, series => series.StartsWith("feddistill_serving_requests_total", StringComparison.Ordinal));
        Assert.DoesNotContain(idleScrape.Samples.Keys, series => series.StartsWith("feddistill_serving_batch_size", StringComparison.Ordinal));
        Assert.DoesNotContain(idleScrape.Samples.Keys, series => series.StartsWith("feddistill_serving_request_duration_seconds", StringComparison.Ordinal));
    }
}
