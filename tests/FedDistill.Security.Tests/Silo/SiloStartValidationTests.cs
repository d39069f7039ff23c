using FedDistill.Security.Tests.Support;
using FedDistill.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FedDistill.Security.Tests.Silo;

/// <summary>
/// A silo whose <c>FedDistill:Silo</c> or <c>FedDistill:Organization</c> settings can never work
/// is refused while its host is built, before Orleans is configured, anything listens or anything
/// is stored: an <see cref="OptionsValidationException"/> that names each bad setting and nothing
/// else (<c>feddistill-silo</c> prints it and exits with <see cref="SiloExitCodes.InvalidConfiguration"/>).
/// </summary>
public sealed class SiloStartValidationTests(TestFederation federation) : IClassFixture<TestFederation>
{
    public static TheoryData<string, string, string> BadSiloSettings => new()
    {
        { "Role", "gateway", "SiloHostOptions.Role is 'gateway'; allowed: aggregator, organization." },
        { "ClusterId", "Fed_1", "SiloHostOptions.ClusterId is 'Fed_1'; it must match [a-z][a-z0-9]{2,31}" },
        { "ClusterId", "fd", "SiloHostOptions.ClusterId is 'fd'" },
        { "AdvertisedAddress", "silo.example", "SiloHostOptions.AdvertisedAddress is 'silo.example'; it must be an IP address." },
        { "SiloPort", "0", "SiloHostOptions.SiloPort is 0; it must be in [1, 65535]." },
        { "SiloPort", "65536", "SiloHostOptions.SiloPort is 65536" },
        { "SiloPort", "eleven", "Failed to convert configuration value 'eleven' at 'FedDistill:Silo:SiloPort'" },
        { "GatewayPort", "-1", "SiloHostOptions.GatewayPort is -1; it must be in [0, 65535]." },
        { "MembershipConnectionString", " ", "SiloHostOptions.MembershipConnectionString must be set." },
        { "StorageConnectionString", " ", "SiloHostOptions.StorageConnectionString must be set." },
        { "ProbeTimeoutSeconds", "0", "SiloHostOptions.ProbeTimeoutSeconds is 0; it must be in (0, 300]." },
        { "ProbeTimeoutSeconds", "NaN", "SiloHostOptions.ProbeTimeoutSeconds is NaN" },
        { "ProbeTimeoutSeconds", "301", "SiloHostOptions.ProbeTimeoutSeconds is 301" },
        { "MissedProbesLimit", "0", "SiloHostOptions.MissedProbesLimit is 0; it must be in [1, 100]." },
        { "Tls:Key", " ", "SiloHostOptions.Tls.Key must be set" },
    };

    /// <summary>Each bad <c>FedDistill:Silo</c> setting is refused alone, named with its value and what is allowed.</summary>
    [Theory]
    [MemberData(nameof(BadSiloSettings))]
    public void A_bad_silo_setting_is_refused_before_the_host_is_built_naming_it(string key, string value, string expected)
    {
        var refused = Refused(new() { [$"FedDistill:Silo:{key}"] = value });

        Assert.Contains(expected, Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    /// <summary>An organization's silo without its organization's settings names every missing one.</summary>
    [Fact]
    public void An_organization_silo_without_its_organization_settings_names_each_missing_one()
    {
        var refused = Refused(new() { ["FedDistill:Silo:Role"] = "organization" });

        Assert.Contains(refused.Failures, failure => failure.StartsWith("OrganizationOptions.Id must be set", StringComparison.Ordinal));
        Assert.Contains("OrganizationOptions.Teachers must list at least one teacher.", refused.Failures);
    }

    /// <summary>An organization may not be called <c>aggregator</c>: that is the aggregator's site.</summary>
    [Fact]
    public void An_organization_named_aggregator_is_refused()
    {
        var refused = Refused(new() { ["FedDistill:Silo:Role"] = "organization", ["FedDistill:Organization:Id"] = "aggregator" });

        Assert.Contains(refused.Failures, failure => failure.Contains("not be 'aggregator'", StringComparison.Ordinal));
    }

    /// <summary>A CA file that does not exist, and a site certificate that names another site, are refused naming the setting.</summary>
    [Fact]
    public void A_missing_CA_file_or_another_sites_certificate_is_refused_naming_the_setting()
    {
        var missing = Path.Combine(federation.Root, "nowhere", "ca.crt");
        var noCa = Refused(new() { ["FedDistill:Silo:Tls:CaCertificate"] = missing });
        Assert.Contains("SiloHostOptions.Tls.CaCertificate", Assert.Single(noCa.Failures), StringComparison.Ordinal);

        // hospital-a's certificate offered by the aggregator's silo.
        var another = Refused(new()
        {
            ["FedDistill:Silo:Tls:CaCertificate"] = federation.Authority.CertificatePath,
            ["FedDistill:Silo:Tls:Certificate"] = federation.HospitalA.CertificatePath,
            ["FedDistill:Silo:Tls:Key"] = federation.HospitalA.KeyPath,
        });
        Assert.Contains("cannot serve silo 'aggregator'", Assert.Single(another.Failures), StringComparison.Ordinal);
    }

    // Valid settings but for the overrides; the TLS paths only need to be set for the options' own checks.
    private OptionsValidationException Refused(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["FedDistill:Silo:Role"] = "aggregator",
            ["FedDistill:Silo:ClusterId"] = "fdtest",
            ["FedDistill:Silo:SiloPort"] = "11111",
            ["FedDistill:Silo:GatewayPort"] = "30000",
            ["FedDistill:Silo:Tls:CaCertificate"] = Path.Combine(federation.Root, "unread", "ca.crt"),
            ["FedDistill:Silo:Tls:Certificate"] = Path.Combine(federation.Root, "unread", "silo.crt"),
            ["FedDistill:Silo:Tls:Key"] = Path.Combine(federation.Root, "unread", "silo.key"),
        };
        foreach (var (key, value) in overrides) settings[key] = value;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        return Assert.Throws<OptionsValidationException>(() => builder.AddFedDistillSilo());
    }
}
