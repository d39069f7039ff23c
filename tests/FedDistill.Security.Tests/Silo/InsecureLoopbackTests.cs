using System.Net;
using FedDistill.Security.Tests.Support;
using FedDistill.Silo.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace FedDistill.Security.Tests.Silo;

public sealed class InsecureLoopbackTests
{
    private static readonly Dictionary<string, string?> Insecure = new() { ["Mode"] = SecurityOptions.InsecureLoopbackMode };

    [Fact]
    public async Task Header_identity_is_believed_on_loopback_over_plain_HTTP11()
    {
        await using var silo = await TestSilo.StartAsync("http://127.0.0.1:0", Insecure);

        using var participant = FederationHttpClientFactory.CreateInsecureLoopback(silo.Address, "hospital-a");
        using var forbidden = await participant.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpVersion.Version11, forbidden.Version);
        Assert.Contains("hospital-a", await TlsEndToEndTests.ProblemDetailAsync(forbidden));

        using var admin = FederationHttpClientFactory.CreateInsecureLoopback(silo.Address, "admin");
        using var adminAllowed = await admin.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.OK, adminAllowed.StatusCode);
        Assert.Equal("admin 'admin'", await adminAllowed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Missing_or_invalid_header_identity_gets_401_with_a_reason()
    {
        await using var silo = await TestSilo.StartAsync("http://127.0.0.1:0", Insecure);
        using var client = new HttpClient { BaseAddress = silo.Address };

        using var missing = await client.GetAsync("/v1/admin");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Contains(FederationHttpClientFactory.InsecureIdentityHeader, await TlsEndToEndTests.ProblemDetailAsync(missing));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin");
        request.Headers.Add(FederationHttpClientFactory.InsecureIdentityHeader, "Not A Name");
        using var invalid = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.StatusCode);
        Assert.Contains("is not valid", await TlsEndToEndTests.ProblemDetailAsync(invalid));
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://*:0")]
    [InlineData("http://127.0.0.1:0;http://192.0.2.10:0")]
    public async Task Insecure_mode_refuses_to_start_on_a_non_loopback_URL(string urls)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => TestSilo.StartAsync(urls, Insecure));
        Assert.Contains("SecurityOptions.Mode", refused.Message);
        Assert.Contains("not loopback", refused.Message);
    }

    [Fact]
    public async Task Insecure_mode_stops_when_code_binds_a_non_loopback_endpoint_the_validator_cannot_see()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TestSilo.StartAsync("http://127.0.0.1:0", Insecure,
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, 0))));
        Assert.Contains("not loopback", refused.Message);
    }

    [Fact]
    public void Insecure_client_refuses_a_non_loopback_address() =>
        Assert.Throws<ArgumentException>(() => FederationHttpClientFactory.CreateInsecureLoopback(new Uri("http://192.0.2.10:5000"), "hospital-a"));
}
