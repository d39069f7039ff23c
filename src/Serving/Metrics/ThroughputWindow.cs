namespace FedDistill.Serving.Metrics;

/// <summary>
/// Counts per second over a sliding window, for a rate: the sum over the last whole seconds of the
/// window divided by those seconds (fewer while the server is younger than the window), so a rate
/// reads the same however often it is scraped. Thread-safe.
/// </summary>
internal sealed class ThroughputWindow
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly long[] _counts;
    private readonly long[] _seconds;
    private readonly object _gate = new();

    public ThroughputWindow(TimeProvider time, int windowSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSeconds, 1);
        _time = time;
        _started = time.GetTimestamp();
        _counts = new long[windowSeconds + 1]; // the window plus the second in progress
        _seconds = new long[windowSeconds + 1];
        Array.Fill(_seconds, -1);
    }

    public void Add(long count)
    {
        var second = CurrentSecond();
        var slot = (int)(second % _counts.Length);
        lock (_gate)
        {
            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                _counts[slot] = 0;
            }
            _counts[slot] += count;
        }
    }

    /// <summary>Counts per second over the whole seconds of the window (the current second is left out: it is not over).</summary>
    public double PerSecond()
    {
        var current = CurrentSecond();
        var window = _counts.Length - 1;
        var seconds = Math.Min(window, current);
        if (seconds == 0) return 0;
        long total = 0;
        lock (_gate)
        {
            for (var slot = 0; slot < _counts.Length; slot++)
                if (_seconds[slot] >= current - seconds && _seconds[slot] < current) total += _counts[slot];
        }
        return (double)total / seconds;
    }

    private long CurrentSecond() => (long)_time.GetElapsedTime(_started).TotalSeconds;
}
