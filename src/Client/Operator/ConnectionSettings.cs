namespace FedDistill.Client.Operator;

/// <summary>How the console reaches the federation, as the options and environment gave it.</summary>
/// <param name="Gateway">The aggregator silo's gateway, <c>host:port</c>.</param>
/// <param name="ClusterId">The federation's cluster id.</param>
/// <param name="Federation">The federation's name (the aggregator grain's key).</param>
/// <param name="Json">Print one JSON document on standard output instead of text.</param>
/// <param name="CaCertificate">The federation's <c>ca.crt</c>: the only root the gateway's certificate may chain to.</param>
/// <param name="Certificate">The admin's certificate (PEM) the console presents to the gateway.</param>
/// <param name="Key">The private key of <paramref name="Certificate"/> (PEM).</param>
public sealed record ConnectionSettings(string Gateway, string ClusterId, string Federation, bool Json, string? CaCertificate, string? Certificate, string? Key)
{
    /// <summary>How long connecting may take before the gateway counts as unreachable (or as refusing the certificate).</summary>
    public TimeSpan ConnectTimeout { get; init; } = ClusterConnection.DefaultConnectTimeout;
}
