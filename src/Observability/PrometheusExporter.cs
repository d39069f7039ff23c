using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace FedDistill.Observability;

/// <summary>
/// Keeps the values of the instruments of chosen meters (through a <see cref="MeterListener"/>)
/// and writes them in the Prometheus text exposition format, version 0.0.4.
/// </summary>
/// <remarks>
/// Names follow the OpenTelemetry-to-Prometheus conventions: dots become underscores, the unit
/// <c>s</c> adds <c>_seconds</c> and <c>By</c> adds <c>_bytes</c>, counters end in <c>_total</c>;
/// so the counter <c>feddistill.upload</c> in bytes is <c>feddistill_upload_bytes_total</c>.
/// Counters and up-down counters are summed per tag set, histograms keep cumulative buckets
/// (the instrument's advised boundaries, else OpenTelemetry's defaults) with <c>_sum</c> and
/// <c>_count</c>, observable gauges are observed at each scrape. Thread-safe.
/// <para>Shared by the silo (<c>FedDistill.Aggregator</c> and friends) and the student server
/// (<c>FedDistill.Serving</c>). Meters are matched by name and, when a scope is given, by
/// <see cref="Meter.Scope"/> too: a host that creates its meters through its own
/// <see cref="IMeterFactory"/> then exports only its own, even when several hosts with meters
/// of the same name share one process (as tests and benchmarks do).</para>
/// </remarks>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>The media type of the exposition format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly HashSet<string> _meters;
    private readonly object? _scope;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, Family> _families = [];
    private readonly object _scrape = new();

    /// <summary>Starts listening to every instrument, present and future, of the named meters.</summary>
    /// <param name="meterNames">Meters to export, e.g. <c>FedDistill.Aggregator</c>.</param>
    public PrometheusExporter(IEnumerable<string> meterNames)
        : this(meterNames, scope: null)
    {
    }

    /// <summary>
    /// Starts listening to every instrument, present and future, of the named meters whose
    /// <see cref="Meter.Scope"/> is <paramref name="scope"/> (any scope when it is null).
    /// </summary>
    /// <param name="meterNames">Meters to export, e.g. <c>FedDistill.Serving</c>.</param>
    /// <param name="scope">
    /// The scope the meters must carry, usually the host's <see cref="IMeterFactory"/> (whose
    /// meters carry it as their scope); null exports meters of those names from anywhere in the process.
    /// </param>
    public PrometheusExporter(IEnumerable<string> meterNames, object? scope)
    {
        ArgumentNullException.ThrowIfNull(meterNames);
        _meters = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _scope = scope;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!_meters.Contains(instrument.Meter.Name) || (_scope is not null && !ReferenceEquals(instrument.Meter.Scope, _scope))
                || Family.KindOf(instrument) is not { } kind) return;
            var family = new Family(instrument, kind);
            lock (_families) _families[instrument] = family;
            listener.EnableMeasurementEvents(instrument, family);
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_families) _families.Remove(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Observes the gauges and writes every metric family, sorted by name.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            _listener.RecordObservableInstruments();
            List<Family> families;
            lock (_families) families = _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
            var text = new StringBuilder();
            foreach (var family in families) family.Write(text);
            return text.ToString();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    /// <summary>The Prometheus name of an instrument, before the <c>_total</c> of counters.</summary>
    public static string BaseName(string instrumentName, string? unit)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        var name = new StringBuilder(instrumentName.Length + 8);
        foreach (var c in instrumentName)
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        if (name.Length == 0 || char.IsAsciiDigit(name[0])) name.Insert(0, '_');
        var suffix = unit switch { "s" => "_seconds", "By" => "_bytes", "ms" => "_milliseconds", _ => null };
        var result = name.ToString();
        return suffix is null || result.EndsWith(suffix, StringComparison.Ordinal) ? result : result + suffix;
    }

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    // One instrument's series, keyed by their label text ({a="1",b="2"}, sorted by label name).
    private sealed class Family
    {
        private readonly Kind _kind;
        private readonly string _help;
        private readonly double[] _bounds;
        private readonly bool _accumulates;
        private readonly SortedDictionary<string, Series> _series = new(StringComparer.Ordinal);

        public Family(Instrument instrument, Kind kind)
        {
            _kind = kind;
            // Synchronous counters and up-down counters report increments; observable instruments
            // and synchronous gauges report the current value.
            var definition = instrument.GetType().GetGenericTypeDefinition();
            _accumulates = definition == typeof(Counter<>) || definition == typeof(UpDownCounter<>);
            var baseName = BaseName(instrument.Name, instrument.Unit);
            Name = kind == Kind.Counter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
            _help = (instrument.Description ?? instrument.Name).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            _bounds = kind == Kind.Histogram ? BoundsOf(instrument) : [];
        }

        public string Name { get; }

        public static Kind? KindOf(Instrument instrument)
        {
            var type = instrument.GetType();
            if (!type.IsGenericType) return null;
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>)) return Kind.Counter;
            if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
                || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>)) return Kind.Gauge;
            if (definition == typeof(Histogram<>)) return Kind.Histogram;
            return null;
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            lock (_series)
            {
                if (!_series.TryGetValue(labels, out var series)) _series[labels] = series = new Series(_bounds.Length);
                if (_kind == Kind.Histogram)
                {
                    series.Count++;
                    series.Value += value;
                    var bucket = Array.FindIndex(_bounds, bound => value <= bound);
                    series.Buckets[bucket < 0 ? _bounds.Length : bucket]++;
                }
                else if (_accumulates)
                {
                    series.Value += value;
                }
                else
                {
                    series.Value = value;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            var type = _kind switch { Kind.Counter => "counter", Kind.Gauge => "gauge", _ => "histogram" };
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            lock (_series)
            {
                // An untouched counter or histogram reads zero, so that a scrape shows it exists.
                if (_series.Count == 0 && _kind != Kind.Gauge) WriteSeries(text, string.Empty, new Series(_bounds.Length));
                foreach (var (labels, series) in _series) WriteSeries(text, labels, series);
            }
        }

        private void WriteSeries(StringBuilder text, string labels, Series series)
        {
            if (_kind != Kind.Histogram)
            {
                text.Append(Name).Append(Braced(labels)).Append(' ').Append(Number(series.Value)).Append('\n');
                return;
            }

            long cumulative = 0;
            for (var i = 0; i <= _bounds.Length; i++)
            {
                cumulative += series.Buckets[i];
                var le = "le=\"" + (i < _bounds.Length ? Number(_bounds[i]) : "+Inf") + "\"";
                text.Append(Name).Append("_bucket{").Append(labels.Length == 0 ? le : labels + "," + le).Append("} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(Name).Append("_sum").Append(Braced(labels)).Append(' ').Append(Number(series.Value)).Append('\n');
            text.Append(Name).Append("_count").Append(Braced(labels)).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        private static string Braced(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0) return string.Empty;
            var pairs = new List<(string Name, string Value)>(tags.Length);
            foreach (var tag in tags)
                pairs.Add((BaseName(tag.Key, null), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty));
            pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return string.Join(",", pairs.Select(p => $"{p.Name}=\"{Escape(p.Value)}\""));
        }

        private static string Escape(string value) =>
            value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

        private static string Number(double value) => value switch
        {
            double.PositiveInfinity => "+Inf",
            double.NegativeInfinity => "-Inf",
            _ when double.IsNaN(value) => "NaN",
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };

        private static double[] BoundsOf(Instrument instrument)
        {
            IReadOnlyList<double>? advised = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
                _ => null,
            };
            return (advised ?? DefaultBuckets).Order().ToArray();
        }
    }

    private sealed class Series(int bounds)
    {
        public double Value { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[bounds + 1];
    }
}
