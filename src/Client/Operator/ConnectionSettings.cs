namespace FedDistill.Client.Operator;

/// <summary>How the console reaches the aggregator, as the options and environment gave it.</summary>
/// <param name="AggregatorUrl">The aggregator's root URL, or null when neither <c>--aggregator</c> nor <c>FEDDISTILL_AGGREGATOR</c> gave one.</param>
/// <param name="CaCertificatePath">The federation's <c>ca.crt</c>, or null.</param>
/// <param name="CertificatePath">The admin's PEM certificate, or null.</param>
/// <param name="KeyPath">The admin's PEM private key, or null.</param>
/// <param name="InsecureLoopback">The dev mode: plain HTTP/2 to loopback, claiming the identity <c>admin</c>.</param>
/// <param name="Json">Print one JSON document on standard output instead of text.</param>
public sealed record ConnectionSettings(
    string? AggregatorUrl,
    string? CaCertificatePath,
    string? CertificatePath,
    string? KeyPath,
    bool InsecureLoopback,
    bool Json);
