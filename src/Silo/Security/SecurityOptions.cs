namespace FedDistill.Silo.Security;

/// <summary>
/// How a silo proves its own identity and learns its callers', bound from
/// <c>FedDistill:Security</c> and validated when the silo starts.
/// </summary>
/// <remarks>
/// In <see cref="TlsMode"/> (the default) every endpoint is HTTPS with the silo's server certificate
/// and callers present client certificates issued by the federation's CA. In
/// <see cref="InsecureLoopbackMode"/> the silo listens on plain HTTP on loopback only and believes
/// the <c>X-FedDistill-Identity</c> header: a single-machine demo, never a deployment.
/// </remarks>
public sealed class SecurityOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "FedDistill:Security";

    /// <summary>The value of <see cref="Mode"/> for mutual TLS with the federation's certificates.</summary>
    public const string TlsMode = "tls";

    /// <summary>The value of <see cref="Mode"/> for the plain-HTTP loopback demo with header identities.</summary>
    public const string InsecureLoopbackMode = "insecure-loopback";

    /// <summary><see cref="TlsMode"/> (default) or <see cref="InsecureLoopbackMode"/> (must be asked for explicitly).</summary>
    public string Mode { get; set; } = TlsMode;

    /// <summary>The federation's CA certificate (<c>ca.crt</c>), the only root trusted for client certificates. Required in TLS mode.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>This silo's server certificate (PEM, from <c>feddistill admin issue server</c>). Required in TLS mode.</summary>
    public string? ServerCertificatePath { get; set; }

    /// <summary>The private key of <see cref="ServerCertificatePath"/> (PEM). Required in TLS mode.</summary>
    public string? ServerKeyPath { get; set; }

    /// <summary>Whether <see cref="Mode"/> is <see cref="InsecureLoopbackMode"/>.</summary>
    public bool IsInsecureLoopback => string.Equals(Mode, InsecureLoopbackMode, StringComparison.Ordinal);
}
