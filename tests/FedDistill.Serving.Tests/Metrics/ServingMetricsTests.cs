using FedDistill.Serving.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics.Metrics;

namespace FedDistill.Serving.Tests.Metrics;

/// <summary><see cref="ServingMetrics"/>' sliding windows, on a fake clock: nearest-rank quantiles and a per-second rate that forget what is older than the window.</summary>
public sealed class ServingMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Latency_quantiles_are_nearest_rank_over_the_window_and_expire_with_it()
    {
        using var metrics = new ServingMetrics(_services.GetRequiredService<IMeterFactory>(), _clock);
        Assert.Null(metrics.Latency());

        foreach (var milliseconds in Enumerable.Range(1, 100).Reverse()) metrics.RecordServed(1, TimeSpan.FromMilliseconds(milliseconds));

        var (p50, p99) = metrics.Latency()!.Value;
        Assert.Equal(0.050, p50, 9);
        Assert.Equal(0.099, p99, 9);
        _clock.Advance(TimeSpan.FromSeconds(ServingMetrics.WindowSeconds + 1));
        Assert.Null(metrics.Latency());
    }

    [Fact]
    public void Throughput_is_examples_per_whole_second_over_the_window()
    {
        using var metrics = new ServingMetrics(_services.GetRequiredService<IMeterFactory>(), _clock);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        metrics.RecordServed(30, TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, metrics.Throughput()); // the first second is not over

        _clock.Advance(TimeSpan.FromSeconds(1));
        metrics.RecordServed(10, TimeSpan.FromMilliseconds(1));
        metrics.RecordServed(20, TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(30, metrics.Throughput()); // 60 examples in 2 seconds

        _clock.Advance(TimeSpan.FromSeconds(ServingMetrics.WindowSeconds + 2));
        Assert.Equal(0, metrics.Throughput());
    }

    public void Dispose() => _services.Dispose();
}
