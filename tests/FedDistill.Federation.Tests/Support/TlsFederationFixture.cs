using FedDistill.Client.Federation;
using FedDistill.Security;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// A federation for the TLS tests: the aggregator's silo and hospital-1's, over mutual TLS with
/// the federation's CA, both active before the first test; hospital-2 is admitted but its silo is
/// started by each test with the certificate settings it sets in <see cref="Hospital2"/>. Also a
/// rogue CA (another federation's, same names) and certificates that must be refused.
/// </summary>
public sealed class TlsFederationFixture : IAsyncLifetime
{
    private readonly TemporaryDirectory _work = new();
    private LocalFederation? _federation;

    public LocalFederation Federation => _federation ?? throw new InvalidOperationException("The federation has not started.");

    public ClusterStorage Storage { get; private set; } = null!;

    /// <summary>Settings hospital-2's silo starts with next (the TLS files, by the test).</summary>
    public Dictionary<string, string> Hospital2 { get; } = [];

    /// <summary>Certificates of a CA that is not the federation's, naming the federation's sites and admin.</summary>
    public string RogueDirectory => Path.Combine(_work.Path, "rogue");

    public IssuedCertificate RogueHospital2 { get; private set; } = null!;

    public IssuedCertificate RogueAdmin { get; private set; } = null!;

    public string RogueCa => Path.Combine(RogueDirectory, "ca", CertificateAuthority.CertificateFileName);

    /// <summary>Issued by the federation's CA, already expired.</summary>
    public IssuedCertificate ExpiredHospital2 { get; private set; } = null!;

    public IssuedCertificate ExpiredAdmin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = SmallFederation.Options(Path.Combine(_work.Path, "federation"), hospitals: 2, startHospitals: false,
            adjust: (index, settings) =>
            {
                if (index != 1) return;
                foreach (var (key, value) in Hospital2) settings[key] = value;
            });
        _federation = await LocalFederation.StartAsync(options, CancellationToken.None);
        Storage = new ClusterStorage(_federation.Storage, _federation.ClusterId);

        using (var rogue = CertificateAuthority.Create(Path.Combine(RogueDirectory, "ca"), _federation.FederationName, TimeSpan.FromDays(1)))
        {
            RogueHospital2 = rogue.IssueSilo("hospital-2", ["127.0.0.1"], RogueDirectory);
            RogueAdmin = rogue.IssueAdmin("admin", RogueDirectory);
        }

        // Valid for a second from now (the CA's own start bounds the period's start), then expired.
        using (var authority = CertificateAuthority.Load(_federation.CaDirectory))
        {
            var expired = Path.Combine(_work.Path, "expired");
            ExpiredHospital2 = authority.IssueSilo("hospital-2", ["127.0.0.1"], expired, TimeSpan.FromSeconds(1));
            ExpiredAdmin = authority.IssueAdmin("admin", expired, TimeSpan.FromSeconds(1));
        }

        _federation.RestartParticipant(0);
        await Storage.WaitForActiveAsync(["aggregator", "hospital-1"], SmallFederation.StartTimeout);
        var left = ExpiredAdmin.NotAfter - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero) await Task.Delay(left + TimeSpan.FromSeconds(1));
    }

    /// <summary>A site's certificate and key as the federation issued them, with the key, for a TLS client.</summary>
    public string SiteCertificate(string site) => Path.Combine(Federation.PkiDirectory, site, site + ".crt");

    public string SiteKey(string site) => Path.Combine(Federation.PkiDirectory, site, site + ".key");

    /// <summary>Hospital-2's TLS settings for its next start.</summary>
    public void Hospital2Tls(string? ca, string? certificate, string? key)
    {
        Hospital2.Clear();
        Hospital2["FedDistill:Silo:Tls:CaCertificate"] = ca ?? "";
        Hospital2["FedDistill:Silo:Tls:Certificate"] = certificate ?? "";
        Hospital2["FedDistill:Silo:Tls:Key"] = key ?? "";
    }

    public async Task DisposeAsync()
    {
        if (_federation is not null) await _federation.DisposeAsync();
        _work.Dispose();
    }
}
