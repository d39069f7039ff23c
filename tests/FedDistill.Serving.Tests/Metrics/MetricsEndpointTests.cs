using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FedDistill.Serving.Tests.Support;

namespace FedDistill.Serving.Tests.Metrics;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text with the request count by outcome, refusals by reason, the
/// batch-size histogram, latency p50 and p99, throughput and the queue depth, each server its own.
/// </summary>
public sealed partial class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_count_requests_batches_latency_and_throughput_in_Prometheus_text()
    {
        await using var running = await RunningServer.StartAsync(new FakeStudentModel(delay: TimeSpan.FromMilliseconds(5)));
        var requests = Enumerable.Range(0, 20).Select(i => running.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(i), Examples.Of(i + 100)))).ToArray();
        foreach (var response in await Task.WhenAll(requests)) using (response) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using (var bad = await running.Client.PostAsync("/v1/predict", Json.Body("""{"inputs": [[1, 2, 3]]}""")))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var (text, samples) = await ScrapeAsync(running.Client);

        double Sample(string series) => samples.TryGetValue(series, out var value) ? value : throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");
        Assert.Equal(20, Sample("feddistill_serving_requests_total{outcome=\"ok\"}"));
        Assert.Equal(1, Sample("feddistill_serving_requests_total{outcome=\"invalid\"}"));
        Assert.Equal(1, Sample("feddistill_serving_rejections_total{reason=\"wrong-length\"}"));
        Assert.Equal(40, Sample("feddistill_serving_examples_total"));

        Assert.Contains("# TYPE feddistill_serving_batch_size histogram", text, StringComparison.Ordinal);
        var batches = Sample("feddistill_serving_batch_size_count");
        Assert.InRange(batches, 1, 20);
        Assert.Equal(40, Sample("feddistill_serving_batch_size_sum"));
        Assert.Equal(batches, Sample("feddistill_serving_batch_size_bucket{le=\"+Inf\"}"));
        var buckets = samples.Where(s => s.Key.StartsWith("feddistill_serving_batch_size_bucket{", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(0, Sample("feddistill_serving_batch_size_bucket{le=\"1\"}")); // every request held two examples
        Assert.Equal(batches, Sample("feddistill_serving_batch_duration_seconds_count"));

        Assert.Equal(20, Sample("feddistill_serving_request_duration_seconds_count"));
        var p50 = Sample("feddistill_serving_request_latency_seconds{quantile=\"0.5\"}");
        var p99 = Sample("feddistill_serving_request_latency_seconds{quantile=\"0.99\"}");
        Assert.InRange(p50, 0, p99);
        Assert.InRange(p99, 0, 60);
        Assert.Contains("# TYPE feddistill_serving_throughput gauge", text, StringComparison.Ordinal);
        Assert.True(Sample("feddistill_serving_throughput") >= 0);
        Assert.Equal(0, Sample("feddistill_serving_queue_depth"));
    }

    [Fact]
    public async Task Two_servers_in_one_process_each_export_only_their_own_metrics()
    {
        await using var busy = await RunningServer.StartAsync(new FakeStudentModel());
        await using var idle = await RunningServer.StartAsync(new FakeStudentModel());
        for (var i = 0; i < 3; i++)
            using (var response = await busy.Client.PostAsync("/v1/predict", Json.Inputs(Examples.Of(i))))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var (_, busySamples) = await ScrapeAsync(busy.Client);
        var (idleText, idleSamples) = await ScrapeAsync(idle.Client);

        Assert.Equal(3, busySamples["feddistill_serving_requests_total{outcome=\"ok\"}"]);
        Assert.False(idleSamples.ContainsKey("feddistill_serving_requests_total{outcome=\"ok\"}"), idleText);
        Assert.Equal(0, idleSamples["feddistill_serving_requests_total"]);
        Assert.Equal(0, idleSamples["feddistill_serving_batch_size_count"]);
    }

    private static async Task<(string Text, Dictionary<string, double> Samples)> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType.ToString(), StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
            Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || SampleLine().IsMatch(line), $"not exposition format: '{line}'");
        var samples = lines.Where(line => !line.StartsWith('#')).Select(line => SampleLine().Match(line))
            .ToDictionary(m => m.Groups["series"].Value, m => double.Parse(m.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture));
        return (text, samples);
    }

    // name{labels} value, the labels' values quoted.
    [GeneratedRegex("""^(?<series>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})?) (?<value>[-+]?(?:[0-9.eE+-]+|Inf|NaN))$""")]
    private static partial Regex SampleLine();
}
