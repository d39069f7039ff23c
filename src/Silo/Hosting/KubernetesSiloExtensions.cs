using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;

namespace FedDistill.Silo.Hosting;

/// <summary>The aggregator's silo in a Kubernetes pod (<c>FedDistill:Silo:Hosting=kubernetes</c>).</summary>
public static class KubernetesSiloExtensions
{
    /// <summary>
    /// Hosts the silo in its pod through Orleans' <c>UseKubernetesHosting</c>: it advertises the
    /// pod's IP (<c>POD_IP</c>, set explicitly) and listens on every address on <see cref="SiloHostOptions.SiloPort"/>
    /// and <see cref="SiloHostOptions.GatewayPort"/>. Two of its effects are undone, on purpose: the
    /// silo keeps its site name (<paramref name="siteName"/>, not the pod's name), which placement
    /// and the cluster's TLS name check go by; and its cluster agent is not run, since at start it
    /// declares dead every active silo whose name is not a pod of this namespace: every
    /// organization's silo, which runs on its own machine (Orleans 10.4.2,
    /// <c>KubernetesClusterAgent</c>: "does not correspond to any known pod. Marking it as dead").
    /// </summary>
    public static ISiloBuilder UseFederationKubernetesHosting(this ISiloBuilder silo, SiloHostOptions host, string siteName)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(host);
        var before = new HashSet<ServiceDescriptor>(silo.Services, ReferenceEqualityComparer.Instance);
        silo.UseKubernetesHosting();
        // The agent is the only silo lifecycle participant UseKubernetesHosting adds.
        foreach (var agent in silo.Services.Where(descriptor => !before.Contains(descriptor)
            && (descriptor.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>) || descriptor.ServiceType == typeof(KubernetesClusterAgent))).ToList())
            silo.Services.Remove(agent);
        silo.Configure<EndpointOptions>(options =>
        {
            options.SiloPort = host.SiloPort;
            options.GatewayPort = host.GatewayPort;
            // Set here, not left to UseKubernetesHosting: it fills the address only when nothing else
            // has, and Orleans' defaults pick one of the machine's addresses first (measured).
            options.AdvertisedIPAddress = System.Net.IPAddress.Parse(Environment.GetEnvironmentVariable("POD_IP")
                ?? throw new InvalidOperationException("SiloHostOptions.Hosting is 'kubernetes' but POD_IP is not set."));
        });
        silo.Services.PostConfigure<SiloOptions>(options => options.SiloName = siteName);
        return silo;
    }
}
