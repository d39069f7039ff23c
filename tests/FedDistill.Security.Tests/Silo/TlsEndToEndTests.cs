using System.Net;
using System.Security.Authentication;
using System.Text.Json;
using FedDistill.Security.Tests.Support;
using FedDistill.Silo.Security;

namespace FedDistill.Security.Tests.Silo;

public sealed class TlsEndToEndTests : IClassFixture<TestFederation>, IAsyncLifetime
{
    private readonly TestFederation _federation;
    private TestSilo? _silo;

    public TlsEndToEndTests(TestFederation federation) => _federation = federation;

    private Uri Address => _silo!.Address;

    public async Task InitializeAsync() => _silo = await TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>
    {
        ["Mode"] = SecurityOptions.TlsMode,
        ["CaCertificatePath"] = _federation.Authority.CertificatePath,
        ["ServerCertificatePath"] = _federation.Server.CertificatePath,
        ["ServerKeyPath"] = _federation.Server.KeyPath,
    });

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
    }

    [Fact]
    public async Task Participant_certificate_is_forbidden_on_admin_endpoints_with_a_reason()
    {
        using var client = ClientFor(_federation.HospitalA);
        using var response = await client.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var detail = await ProblemDetailAsync(response);
        Assert.Contains("needs the admin certificate", detail);
        Assert.Contains("hospital-a", detail);
    }

    [Fact]
    public async Task Admin_certificate_reaches_admin_endpoints_over_HTTP2()
    {
        using var client = ClientFor(_federation.Admin);
        using var admin = await client.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal(HttpVersion.Version20, admin.Version);
        Assert.Equal("admin 'admin'", await admin.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Caller_without_a_certificate_gets_401_on_guarded_endpoints_and_200_on_health()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        using var client = FederationHttpClientFactory.Create(Address, clientCertificate: null, ca);

        using var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpVersion.Version20, health.Version);

        using var guarded = await client.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.Unauthorized, guarded.StatusCode);
        Assert.Contains("needs a client certificate", await ProblemDetailAsync(guarded));
    }

    [Fact]
    public async Task Certificate_from_a_foreign_CA_is_refused_with_a_reason()
    {
        using var client = ClientFor(_federation.ForeignParticipant);
        using var response = await client.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not issued by this federation's CA", await ProblemDetailAsync(response));
    }

    [Fact]
    public async Task Client_refuses_a_silo_whose_certificate_another_CA_issued()
    {
        using var foreignCa = FederationCertificates.LoadCertificate(Path.Combine(_federation.Root, "foreign-ca", "ca.crt"));
        using var client = FederationHttpClientFactory.Create(Address, clientCertificate: null, foreignCa);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/healthz"));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public async Task Client_refuses_a_silo_reached_under_a_name_its_certificate_does_not_carry()
    {
        var localhostOnly = _federation.Authority.IssueServer(["localhost"], Path.Combine(_federation.Root, "localhost-only"), overwrite: true);
        await using var silo = await TestSilo.StartAsync("https://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["CaCertificatePath"] = _federation.Authority.CertificatePath,
            ["ServerCertificatePath"] = localhostOnly.CertificatePath,
            ["ServerKeyPath"] = localhostOnly.KeyPath,
        });
        using var ca = _federation.Authority.GetPublicCertificate();

        using var byName = FederationHttpClientFactory.Create(new UriBuilder(silo.Address) { Host = "localhost" }.Uri, clientCertificate: null, ca);
        using var named = await byName.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);

        using var byAddress = FederationHttpClientFactory.Create(silo.Address, clientCertificate: null, ca);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => byAddress.GetAsync("/healthz"));
        Assert.IsType<AuthenticationException>(refused.InnerException);
    }

    [Fact]
    public void Client_factory_refuses_plain_http()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        Assert.Throws<ArgumentException>(() => FederationHttpClientFactory.Create(new Uri("http://127.0.0.1:5000"), null, ca));
    }

    [Fact]
    public async Task Insecure_identity_header_is_ignored_in_TLS_mode()
    {
        using var ca = _federation.Authority.GetPublicCertificate();
        using var client = FederationHttpClientFactory.Create(Address, clientCertificate: null, ca);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Add(FederationHttpClientFactory.InsecureIdentityHeader, "admin");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private HttpClient ClientFor(IssuedCertificate issued) =>
        FederationHttpClientFactory.Create(Address, issued.CertificatePath, issued.KeyPath, _federation.Authority.CertificatePath);

    internal static async Task<string> ProblemDetailAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)response.StatusCode, document.RootElement.GetProperty("status").GetInt32());
        return document.RootElement.GetProperty("detail").GetString()!;
    }
}
