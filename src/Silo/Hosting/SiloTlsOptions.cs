namespace FedDistill.Silo.Hosting;

/// <summary>
/// The silo's certificate for the cluster's mutual TLS (<c>FedDistill:Silo:Tls</c>): PEM files
/// issued by the federation's CA, <c>feddistill admin issue silo --site SITE</c>. Required: the
/// silo port and the gateway speak TLS only.
/// </summary>
public sealed class SiloTlsOptions
{
    /// <summary>The federation's CA certificate (<c>ca.crt</c>): the only root a peer's certificate may chain to.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>This silo's certificate (PEM); its CN must be this silo's <c>SiloName</c>.</summary>
    public string? Certificate { get; set; }

    /// <summary>The private key of <see cref="Certificate"/> (PEM, PKCS#8).</summary>
    public string? Key { get; set; }
}
