using System.Diagnostics;
using FedDistill.Client.Operator;
using FedDistill.Federation.Tests.Support;
using FedDistill.Silo.Hosting;

namespace FedDistill.Federation.Tests;

/// <summary>
/// Mutual TLS on the cluster's real sockets (silo processes over Azurite): the silo port and the
/// gateway refuse a peer without a certificate, with an expired one or one of another CA; a silo
/// with another CA's certificate cannot join; a silo whose certificate is not its own (another
/// organization's, expired, none) stops at start, says why and exits with 78; a console whose certificate cannot
/// pass fails with exit code 5 (or 2 when none is given) and a message, within its timeout.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class ClusterTlsTests(TlsFederationFixture fixture) : IClassFixture<TlsFederationFixture>
{
    [Fact]
    public async Task The_silo_port_admits_only_silos_and_the_gateway_only_the_admin_each_refusal_logged_with_its_reason()
    {
        var federation = fixture.Federation;
        Assert.True(await TlsProbe.AcceptedAsync(federation.SiloPort, fixture.SiteCertificate("hospital-1"), fixture.SiteKey("hospital-1")), "a silo of the federation is refused");
        Assert.False(await TlsProbe.AcceptedAsync(federation.SiloPort, null, null), "no certificate admitted to the silo port");
        Assert.False(await TlsProbe.AcceptedAsync(federation.SiloPort, fixture.RogueHospital2.CertificatePath, fixture.RogueHospital2.KeyPath), "another CA's certificate admitted to the silo port");
        Assert.False(await TlsProbe.AcceptedAsync(federation.SiloPort, fixture.ExpiredHospital2.CertificatePath, fixture.ExpiredHospital2.KeyPath), "an expired certificate admitted to the silo port");
        Assert.False(await TlsProbe.AcceptedAsync(federation.SiloPort, federation.AdminCertificatePath, federation.AdminKeyPath), "the admin's (client) certificate admitted as a silo");

        Assert.True(await TlsProbe.AcceptedAsync(federation.GatewayPort, federation.AdminCertificatePath, federation.AdminKeyPath), "the admin is refused by the gateway");
        Assert.False(await TlsProbe.AcceptedAsync(federation.GatewayPort, null, null), "no certificate admitted to the gateway");
        Assert.False(await TlsProbe.AcceptedAsync(federation.GatewayPort, fixture.RogueAdmin.CertificatePath, fixture.RogueAdmin.KeyPath), "another CA's admin admitted to the gateway");
        Assert.False(await TlsProbe.AcceptedAsync(federation.GatewayPort, fixture.ExpiredAdmin.CertificatePath, fixture.ExpiredAdmin.KeyPath), "an expired admin admitted to the gateway");
        Assert.False(await TlsProbe.AcceptedAsync(federation.GatewayPort, fixture.SiteCertificate("hospital-1"), fixture.SiteKey("hospital-1")), "an organization's silo admitted to the gateway as a console");

        await LoggedAsync(federation.Aggregator!, "Refused a TLS connection (silo)", "Refused a TLS connection (gateway)", "not issued by this federation's CA",
            "expired on", "is not an admin certificate", "is not a silo certificate");
    }

    [Fact]
    public async Task A_silo_with_a_certificate_of_another_CA_never_joins_the_cluster()
    {
        // A consistent impostor: its own CA, a certificate naming hospital-2, which the federation admitted.
        fixture.Hospital2Tls(fixture.RogueCa, fixture.RogueHospital2.CertificatePath, fixture.RogueHospital2.KeyPath);
        fixture.Federation.RestartParticipant(1);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(20));
            var active = await fixture.Storage.ActiveSilosAsync(CancellationToken.None);
            Assert.DoesNotContain("hospital-2", active);
            Assert.Contains("hospital-1", active);
            await LoggedAsync(fixture.Federation.Aggregator!, "presenting participant 'hospital-2'");
        }
        finally
        {
            await fixture.Federation.KillParticipantAsync(1);
        }
    }

    [Theory]
    [InlineData("another-organization", "names site 'hospital-1', but the silo is 'hospital-2'")]
    [InlineData("expired", "expired on")]
    [InlineData("none", "SiloHostOptions.Tls.Certificate must be set")]
    [InlineData("another-ca", "not issued by this federation's CA")]
    public async Task A_silo_whose_certificate_is_not_its_own_stops_at_start_and_says_why(string certificate, string reason)
    {
        var federation = fixture.Federation;
        switch (certificate)
        {
            case "another-organization": fixture.Hospital2Tls(federation.CaCertificatePath, fixture.SiteCertificate("hospital-1"), fixture.SiteKey("hospital-1")); break;
            case "expired": fixture.Hospital2Tls(federation.CaCertificatePath, fixture.ExpiredHospital2.CertificatePath, fixture.ExpiredHospital2.KeyPath); break;
            case "none": fixture.Hospital2Tls(federation.CaCertificatePath, null, null); break;
            default: fixture.Hospital2Tls(federation.CaCertificatePath, fixture.RogueHospital2.CertificatePath, fixture.RogueHospital2.KeyPath); break;
        }

        federation.RestartParticipant(1);
        try
        {
            var silo = federation.Participant(1)!;
            var watch = Stopwatch.StartNew();
            while (!silo.HasExited && watch.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(200);
            Assert.True(silo.HasExited, $"hospital-2 still runs with a certificate that is not its own.\n{silo.Tail()}");
            Assert.True(silo.ExitCode == SiloExitCodes.InvalidConfiguration, $"exit code {silo.ExitCode}\n{silo.Tail()}");
            Assert.Contains("feddistill-silo: not started, invalid configuration:", silo.Tail(80), StringComparison.Ordinal);
            Assert.Contains(reason, silo.Tail(80), StringComparison.Ordinal);
        }
        finally
        {
            await federation.KillParticipantAsync(1);
        }
    }

    [Theory]
    [InlineData("none", OperatorExitCodes.InvalidUsage, "missing --cert (or FEDDISTILL_CERT), --key (or FEDDISTILL_KEY)")]
    [InlineData("another-ca", OperatorExitCodes.Certificate, "not issued by this federation's CA")]
    [InlineData("expired", OperatorExitCodes.Certificate, "expired on")]
    [InlineData("organization", OperatorExitCodes.Certificate, "not an admin certificate")]
    [InlineData("another-federation", OperatorExitCodes.Certificate, "presented server 'aggregator', which this console refuses")]
    public async Task A_console_whose_certificate_cannot_pass_fails_within_its_timeout_with_its_exit_code_and_why(string certificate, int exitCode, string reason)
    {
        var federation = fixture.Federation;
        var good = federation.ConnectionSettings();
        var settings = certificate switch
        {
            "none" => good with { Certificate = null, Key = null },
            "another-ca" => good with { Certificate = fixture.RogueAdmin.CertificatePath, Key = fixture.RogueAdmin.KeyPath },
            "expired" => good with { Certificate = fixture.ExpiredAdmin.CertificatePath, Key = fixture.ExpiredAdmin.KeyPath },
            "organization" => good with { Certificate = fixture.SiteCertificate("hospital-1"), Key = fixture.SiteKey("hospital-1") },
            // Another federation's CA and admin, all consistent: the console refuses the gateway, and the gateway the console.
            _ => good with { CaCertificate = fixture.RogueCa, Certificate = fixture.RogueAdmin.CertificatePath, Key = fixture.RogueAdmin.KeyPath },
        };
        settings = settings with { ConnectTimeout = TimeSpan.FromSeconds(8) };
        using var output = new StringWriter();
        using var error = new StringWriter();

        var watch = Stopwatch.StartNew();
        var exit = await OperatorRunner.RunAsync("rounds list", settings, async (session, cancellation) =>
        {
            await (await session.AggregatorAsync(cancellation)).ListRoundsAsync();
            return OperatorExitCodes.Succeeded;
        }, output, error, CancellationToken.None);

        Assert.True(exit == exitCode, $"exit {exit}: {error}");
        Assert.Contains(reason, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
        Assert.True(watch.Elapsed < settings.ConnectTimeout + TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    // A silo writes its log asynchronously: the line of the last refusal may trail the refusal a little.
    private static async Task LoggedAsync(Client.Federation.SiloProcess silo, params string[] lines)
    {
        var watch = Stopwatch.StartNew();
        string log;
        do
        {
            log = silo.Tail(2000);
            if (lines.All(line => log.Contains(line, StringComparison.Ordinal))) return;
            await Task.Delay(250);
        }
        while (watch.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Fail($"The aggregator's log lacks [{string.Join(", ", lines.Where(line => !log.Contains(line, StringComparison.Ordinal)))}].\n{silo.Tail()}");
    }
}
