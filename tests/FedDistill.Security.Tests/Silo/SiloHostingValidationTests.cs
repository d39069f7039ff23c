using FedDistill.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace FedDistill.Security.Tests.Silo;

/// <summary>
/// <c>FedDistill:Silo:Hosting</c> is an explicit, validated choice: <c>kubernetes</c> (Orleans'
/// <c>UseKubernetesHosting</c>) only for the aggregator's silo and only in a pod whose manifest
/// gives it its name, namespace and IP; anything else stops the silo naming the setting.
/// </summary>
public sealed class SiloHostingValidationTests
{
    private static readonly Dictionary<string, string> Pod = new() { ["POD_NAME"] = "feddistill-aggregator-0", ["POD_NAMESPACE"] = "federation", ["POD_IP"] = "10.2.0.15" };

    [Fact]
    public void The_aggregator_in_a_pod_with_its_downward_api_variables_is_valid_without_an_advertised_address()
    {
        var options = Options("aggregator", "kubernetes");
        options.AdvertisedAddress = "";

        Assert.Empty(options.Validate(name => Pod.GetValueOrDefault(name)));
        Assert.True(options.InKubernetes);
    }

    [Fact]
    public void Kubernetes_hosting_without_the_pods_variables_names_each_missing_one()
    {
        var errors = Options("aggregator", "kubernetes").Validate(name => name == "POD_NAME" ? "feddistill-aggregator-0" : null);

        var error = Assert.Single(errors);
        Assert.Contains("SiloHostOptions.Hosting is 'kubernetes'", error, StringComparison.Ordinal);
        Assert.Contains("POD_NAMESPACE, POD_IP are not set", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_hosting_with_a_pod_ip_that_is_no_address_is_refused()
    {
        var errors = Options("aggregator", "kubernetes").Validate(name => name == "POD_IP" ? "pending" : Pod.GetValueOrDefault(name));

        Assert.Contains(errors, error => error.Contains("POD_IP is 'pending'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_organizations_silo_may_not_use_kubernetes_hosting()
    {
        var errors = Options("organization", "kubernetes").Validate(name => Pod.GetValueOrDefault(name));

        Assert.Contains(errors, error => error.Contains("only the aggregator's silo may use", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Kubernetes")]
    [InlineData("docker")]
    [InlineData("")]
    public void An_unknown_hosting_is_refused_naming_the_allowed_ones(string hosting)
    {
        var errors = Options("aggregator", hosting).Validate(name => Pod.GetValueOrDefault(name));

        Assert.Contains(errors, error => error.Contains($"SiloHostOptions.Hosting is '{hosting}'; allowed: host, kubernetes.", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_hosting_still_needs_an_advertised_ip_address()
    {
        var options = Options("organization", "host");
        options.AdvertisedAddress = "hospital-1.example.org";

        Assert.Contains(options.Validate(_ => null), error => error.Contains("SiloHostOptions.AdvertisedAddress is 'hospital-1.example.org'", StringComparison.Ordinal));
    }

    /// <summary>
    /// Proves what Kubernetes hosting keeps of Orleans' <c>UseKubernetesHosting</c>: the pod's IP
    /// advertised and every address listened on, on the configured ports; and what it undoes: the
    /// silo keeps its site name, and Orleans' cluster agent (which would declare every silo that is
    /// not a pod of the namespace dead: every organization's) is not registered.
    /// </summary>
    [Fact]
    public void Kubernetes_hosting_advertises_the_pod_ip_keeps_the_site_name_and_runs_no_cluster_agent()
    {
        var builder = Host.CreateApplicationBuilder();
        var host = Options("aggregator", "kubernetes");
        (host.SiloPort, host.GatewayPort) = (11211, 30200);
        builder.UseOrleans(silo => silo.UseFederationKubernetesHosting(host, "aggregator"));
        Assert.DoesNotContain(builder.Services, descriptor => descriptor.ServiceType == typeof(KubernetesClusterAgent) || descriptor.ImplementationType == typeof(KubernetesClusterAgent));
        var agents = builder.Services.Where(descriptor => descriptor.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>)).ToList();
        using var services = builder.Services.BuildServiceProvider();
        Assert.DoesNotContain(agents.Select(descriptor => descriptor.ImplementationType), type => type?.Namespace == typeof(KubernetesClusterAgent).Namespace);

        foreach (var (name, value) in Pod) Environment.SetEnvironmentVariable(name, value);
        try
        {
            var endpoints = services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal("10.2.0.15", endpoints.AdvertisedIPAddress!.ToString());
            Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 11211), endpoints.SiloListeningEndpoint);
            Assert.Equal(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 30200), endpoints.GatewayListeningEndpoint);
            Assert.Equal("aggregator", services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
        }
        finally
        {
            foreach (var name in Pod.Keys) Environment.SetEnvironmentVariable(name, null);
        }
    }

    private static SiloHostOptions Options(string role, string hosting) => new()
    {
        Role = role,
        Hosting = hosting,
        ClusterId = "lakeside",
        Tls = new SiloTlsOptions { CaCertificate = "ca.crt", Certificate = "aggregator.crt", Key = "aggregator.key" },
    };
}
