using FedDistill.Security.Tests.Support;
using FedDistill.Silo.Security;
using Microsoft.Extensions.Options;

namespace FedDistill.Security.Tests.Silo;

public sealed class SecurityOptionsValidationTests : IClassFixture<TestFederation>
{
    private readonly TestFederation _federation;

    public SecurityOptionsValidationTests(TestFederation federation) => _federation = federation;

    [Fact]
    public async Task TLS_mode_without_certificate_paths_names_each_missing_setting()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>()));
        Assert.Contains("SecurityOptions.CaCertificatePath is required", refused.Message);
        Assert.Contains("SecurityOptions.ServerCertificatePath is required", refused.Message);
        Assert.Contains("SecurityOptions.ServerKeyPath is required", refused.Message);
    }

    [Fact]
    public async Task Unknown_mode_is_refused()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?> { ["Mode"] = "none" }));
        Assert.Contains("SecurityOptions.Mode is 'none'", refused.Message);
    }

    [Fact]
    public async Task TLS_mode_refuses_a_server_certificate_from_another_CA()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["CaCertificatePath"] = Path.Combine(_federation.Root, "foreign-ca", "ca.crt"),
            ["ServerCertificatePath"] = _federation.Server.CertificatePath,
            ["ServerKeyPath"] = _federation.Server.KeyPath,
        }));
        Assert.Contains("SecurityOptions.ServerCertificatePath", refused.Message);
        Assert.Contains("was not issued by the CA", refused.Message);
    }

    [Fact]
    public async Task TLS_mode_refuses_a_client_certificate_as_the_server_certificate()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["CaCertificatePath"] = _federation.Authority.CertificatePath,
            ["ServerCertificatePath"] = _federation.Admin.CertificatePath,
            ["ServerKeyPath"] = _federation.Admin.KeyPath,
        }));
        Assert.Contains("serverAuth", refused.Message);
    }

    [Fact]
    public async Task TLS_mode_refuses_a_plain_http_URL()
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["CaCertificatePath"] = _federation.Authority.CertificatePath,
            ["ServerCertificatePath"] = _federation.Server.CertificatePath,
            ["ServerKeyPath"] = _federation.Server.KeyPath,
        }));
        Assert.Contains("not https", refused.Message);
    }

    [Fact]
    public async Task TLS_mode_names_a_missing_certificate_file()
    {
        var missing = Path.Combine(_federation.Root, "nowhere", "ca.crt");
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["CaCertificatePath"] = missing,
            ["ServerCertificatePath"] = _federation.Server.CertificatePath,
            ["ServerKeyPath"] = _federation.Server.KeyPath,
        }));
        Assert.Contains("SecurityOptions.CaCertificatePath", refused.Message);
        Assert.Contains(missing, refused.Message);
    }
}
