using FedDistill.Security;
using FedDistill.Transport;

namespace FedDistill.Client.Operator;

/// <summary>
/// The console's connection to the aggregator as the admin: an HTTP/2 client (mutual TLS with the
/// admin's certificate, or the insecure loopback dev mode) and the aggregator's API over it.
/// Disposing closes the connection.
/// </summary>
public sealed class AggregatorConnection : IDisposable
{
    /// <summary>How long one request may take before the aggregator counts as unreachable.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    private AggregatorConnection(HttpClient http, Uri aggregatorUrl)
    {
        _http = http;
        AggregatorUrl = aggregatorUrl;
        Aggregator = new HttpAggregatorClient(http);
    }

    /// <summary>The aggregator's root URL.</summary>
    public Uri AggregatorUrl { get; }

    /// <summary>The aggregator's API; owned by this connection.</summary>
    public HttpAggregatorClient Aggregator { get; }

    /// <summary>Checks the settings and builds the client; nothing is sent yet.</summary>
    /// <exception cref="OperatorUsageException">The URL is missing or malformed, or does not fit the mode.</exception>
    /// <exception cref="CertificateProblemException">A certificate option is missing, or a file is missing or unreadable.</exception>
    public static AggregatorConnection Open(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.AggregatorUrl is null)
            throw new OperatorUsageException($"--aggregator is required: the aggregator's URL, e.g. --aggregator https://aggregator.example:7443 (or set {ConnectionOptions.AggregatorVariable}).");
        if (!Uri.TryCreate(settings.AggregatorUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            throw new OperatorUsageException($"--aggregator is '{settings.AggregatorUrl}'; it must be an absolute https:// URL (http://127.0.0.1:PORT with --insecure-loopback).");

        if (settings.InsecureLoopback)
        {
            if (url.Scheme != Uri.UriSchemeHttp || !url.IsLoopback)
                throw new OperatorUsageException($"--insecure-loopback talks only to http://127.0.0.1, http://[::1] or http://localhost; --aggregator is {url}. Drop --insecure-loopback and give --ca, --cert and --key for a TLS aggregator.");
            return Configure(FederationHttpClientFactory.CreateInsecureLoopback(url, FederationNames.ReservedAdminName), url);
        }

        if (url.Scheme != Uri.UriSchemeHttps)
            throw new OperatorUsageException($"--aggregator is {url}; a federation speaks https://. Plain http is only for the dev mode: add --insecure-loopback.");
        var ca = RequireFile(settings.CaCertificatePath, "--ca", ConnectionOptions.CaVariable, "the federation's ca.crt");
        var certificate = RequireFile(settings.CertificatePath, "--cert", ConnectionOptions.CertificateVariable, "the admin's certificate");
        var key = RequireFile(settings.KeyPath, "--key", ConnectionOptions.KeyVariable, "the admin's private key");
        try
        {
            return Configure(FederationHttpClientFactory.Create(url, certificate, key, ca), url);
        }
        catch (CertificateAuthorityException error)
        {
            throw new CertificateProblemException($"{error.Message} {IssueHint}", error);
        }
    }

    /// <summary>What to do about a missing or refused admin certificate.</summary>
    public const string IssueHint =
        "The console needs the admin's certificate: 'feddistill admin issue admin --ca-dir CA_DIR --out DIR', then --cert DIR/admin.crt --key DIR/admin.key --ca CA_DIR/ca.crt.";

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static AggregatorConnection Configure(HttpClient http, Uri url)
    {
        http.Timeout = RequestTimeout;
        return new AggregatorConnection(http, url);
    }

    private static string RequireFile(string? path, string option, string variable, string what)
    {
        if (path is null) throw new CertificateProblemException($"{option} is required: {what} (or set {variable}). {IssueHint}");
        if (!File.Exists(path)) throw new CertificateProblemException($"{option} names {path}, which does not exist: it must be {what}. {IssueHint}");
        return path;
    }
}
