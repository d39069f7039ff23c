namespace FedDistill.Serving.Metrics;

/// <summary>
/// The latencies of the most recent requests, for quantiles over a sliding window: the last
/// <see cref="Window"/> of time, or the last <c>capacity</c> requests when more came in that time
/// (a ring buffer, so memory and scrape cost stay bounded under any load). Thread-safe.
/// </summary>
internal sealed class LatencyWindow(TimeProvider time, TimeSpan window, int capacity)
{
    private readonly (long At, double Seconds)[] _ring = new (long, double)[capacity];
    private readonly object _gate = new();
    private int _next;
    private int _count;

    public TimeSpan Window { get; } = window;

    public void Add(double seconds)
    {
        var now = time.GetTimestamp();
        lock (_gate)
        {
            _ring[_next] = (now, seconds);
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>The nearest-rank quantiles of the latencies in the window, in the order asked; null when there are none.</summary>
    public double[]? Quantiles(IReadOnlyList<double> quantiles)
    {
        var recent = new List<double>();
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var (at, seconds) = _ring[i];
                if (time.GetElapsedTime(at) <= Window) recent.Add(seconds);
            }
        }
        if (recent.Count == 0) return null;
        recent.Sort();
        return quantiles.Select(q => recent[Math.Clamp((int)Math.Ceiling(q * recent.Count) - 1, 0, recent.Count - 1)]).ToArray();
    }
}
