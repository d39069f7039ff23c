using System.Net;

namespace FedDistill.Silo.Security;

/// <summary>The URLs a silo is told to listen on, and whether each is loopback.</summary>
internal static class ConfiguredUrls
{
    /// <summary>URLs from <c>urls</c> (ASPNETCORE_URLS, --urls, UseUrls), <c>http_ports</c>/<c>https_ports</c> and <c>Kestrel:Endpoints:*:Url</c>.</summary>
    public static IReadOnlyList<string> Read(IConfiguration configuration)
    {
        var urls = new List<string>();
        if (configuration["urls"] is { } list)
            urls.AddRange(list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var (key, scheme) in new[] { ("http_ports", "http"), ("https_ports", "https") })
        {
            if (configuration[key] is { } ports)
                urls.AddRange(ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"{scheme}://*:{port}"));
        }
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url) urls.Add(url);
        }
        return urls;
    }

    /// <summary>Whether <paramref name="url"/> binds only loopback: <c>localhost</c>, <c>127.0.0.0/8</c> or <c>[::1]</c>; wildcards and other hosts are not.</summary>
    public static bool IsLoopback(string url)
    {
        var host = Host(url);
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Whether <paramref name="url"/> is https.</summary>
    public static bool IsHttps(string url) => url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static string Host(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var rest = start < 0 ? url : url[(start + 3)..];
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            return close < 0 ? rest : rest[..(close + 1)];
        }
        var end = rest.IndexOfAny([':', '/']);
        return end < 0 ? rest : rest[..end];
    }
}
