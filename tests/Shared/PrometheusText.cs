using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace FedDistill.Testing;

/// <summary>
/// A scrape of a <c>/metrics</c> endpoint in the Prometheus text exposition format (0.0.4), checked
/// line by line and read into samples keyed by their series (<c>name{label="value",...}</c>, as
/// written; a series without labels is its bare name, whether it was written <c>name</c> or <c>name{}</c>).
/// </summary>
public sealed partial class PrometheusText
{
    private PrometheusText(string text, IReadOnlyDictionary<string, double> samples)
    {
        Text = text;
        Samples = samples;
    }

    /// <summary>The text as answered.</summary>
    public string Text { get; }

    /// <summary>Every sample, by series.</summary>
    public IReadOnlyDictionary<string, double> Samples { get; }

    /// <summary>The value of <paramref name="series"/>; fails with the whole text when it is missing.</summary>
    public double this[string series] =>
        Samples.TryGetValue(series, out var value) ? value : throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{Text}");

    /// <summary>
    /// GETs <c>/metrics</c> from <paramref name="client"/>, asserts a 200 in <c>text/plain; version=0.0.4</c>
    /// whose every line is a comment (<c># HELP</c>, <c># TYPE</c>, <c># UNIT</c>, <c># EOF</c>) or a sample, and parses it.
    /// </summary>
    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("version=0.0.4", response.Content.Headers.ContentType.ToString(), StringComparison.Ordinal);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (Comment().IsMatch(line)) continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not exposition format: '{line}'");
            var series = match.Groups["name"].Value + (match.Groups["labels"].Value is "{}" ? string.Empty : match.Groups["labels"].Value);
            var value = double.Parse(match.Groups["value"].Value.Replace("+Inf", "Infinity", StringComparison.Ordinal).Replace("-Inf", "-Infinity", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            Assert.True(samples.TryAdd(series, value), $"series {series} appears twice in:\n{text}");
        }

        return new PrometheusText(text, samples);
    }

    [GeneratedRegex("""^# (HELP|TYPE|UNIT) [a-zA-Z_:][a-zA-Z0-9_:]*( .*)?$|^# EOF$""")]
    private static partial Regex Comment();

    // name{labels} value [timestamp], the labels' values quoted, the braces possibly empty.
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*)?\})? (?<value>[-+]?(?:[0-9.eE+-]+|Inf|NaN))( [0-9]+)?$""")]
    private static partial Regex SampleLine();
}
