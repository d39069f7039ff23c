namespace FedDistill.Silo.Hosting;

/// <summary>Which site this silo is and how it joins the cluster; bound from <c>FedDistill:Silo</c>.</summary>
public sealed class SiloHostOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Silo";

    /// <summary>The roles a silo can take.</summary>
    public static IReadOnlyList<string> AllowedRoles { get; } = ["aggregator", "organization"];

    /// <summary>The values of <see cref="Hosting"/>.</summary>
    public static IReadOnlyList<string> AllowedHostings { get; } = ["host", "kubernetes"];

    /// <summary>The environment variables a pod's manifest must set (Kubernetes' downward API) for <see cref="Hosting"/> <c>kubernetes</c>.</summary>
    public static IReadOnlyList<string> KubernetesVariables { get; } = ["POD_NAME", "POD_NAMESPACE", "POD_IP"];

    /// <summary><c>aggregator</c> (the federation's silo, with its gateway for consoles) or <c>organization</c> (one organization's silo; its id comes from <c>FedDistill:Organization:Id</c>).</summary>
    public string Role { get; set; } = "aggregator";

    /// <summary>
    /// The cluster's id (<c>[a-z][a-z0-9]{2,31}</c>): every silo of the federation and its consoles
    /// use the same. It is also Orleans' service id and prefixes the Azure tables and containers
    /// this silo writes, so clusters sharing a storage account stay apart.
    /// </summary>
    public string ClusterId { get; set; } = "feddistill";

    /// <summary>
    /// Where the silo runs: <c>host</c> (default: a machine or VM, e.g. under the systemd unit
    /// <c>feddistill federation create</c> writes; it advertises <see cref="AdvertisedAddress"/>)
    /// or <c>kubernetes</c> (the aggregator's silo in a pod: Orleans' <c>UseKubernetesHosting</c>
    /// advertises the pod's IP from <c>POD_IP</c> and listens on every address; only the
    /// aggregator may, see deploy/README.md).
    /// </summary>
    public string Hosting { get; set; } = "host";

    /// <summary>The address other silos reach this one on (ignored with <see cref="Hosting"/> <c>kubernetes</c>, which advertises the pod's IP).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The gateway port consoles connect to; 0 for none (organizations' silos need none).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The Azure Storage connection string of the cluster's shared membership table
    /// (<c>UseDevelopmentStorage=true</c>: Azurite on this machine).
    /// </summary>
    public string MembershipConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// This site's own Azure Storage: the federation's state and artifacts on the aggregator's silo,
    /// an organization's private checkpoints on its silo. No other site is configured with it.
    /// </summary>
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Seconds a membership probe of another silo may go unanswered before it counts as missed
    /// (Orleans' <c>ClusterMembershipOptions.ProbeTimeout</c>, whose default, 5, this keeps); in
    /// (0, 300]. With <see cref="MissedProbesLimit"/> it sets how long a silo that stopped
    /// answering (crashed, frozen, cut off) stays a member: about their product, after which the
    /// others declare it dead and its grains' work moves on without it.
    /// </summary>
    public double ProbeTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Probes in a row a silo may miss before its prober suspects it (Orleans'
    /// <c>ClusterMembershipOptions.NumMissedProbesLimit</c>, default 3); in [1, 100]. Every silo
    /// of a cluster should use the same value and <see cref="ProbeTimeoutSeconds"/>.
    /// </summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>The silo's certificate, key and the federation's CA for the cluster's mutual TLS (<c>FedDistill:Silo:Tls</c>).</summary>
    public SiloTlsOptions Tls { get; set; } = new();

    /// <summary>True for the aggregator's silo.</summary>
    public bool IsAggregator => string.Equals(Role, "aggregator", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the silo runs in a Kubernetes pod (<see cref="Hosting"/> <c>kubernetes</c>).</summary>
    public bool InKubernetes => string.Equals(Hosting, "kubernetes", StringComparison.Ordinal);

    /// <summary>Every problem, naming the setting; empty when valid.</summary>
    /// <param name="environment">Reads an environment variable (the process's by default): <see cref="Hosting"/> <c>kubernetes</c> needs the pod's.</param>
    public IReadOnlyList<string> Validate(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var errors = new List<string>();
        if (!AllowedRoles.Contains(Role?.ToLowerInvariant() ?? string.Empty)) errors.Add($"SiloHostOptions.Role is '{Role}'; allowed: {string.Join(", ", AllowedRoles)}.");
        if (!AllowedHostings.Contains(Hosting ?? string.Empty, StringComparer.Ordinal))
        {
            errors.Add($"SiloHostOptions.Hosting is '{Hosting}'; allowed: {string.Join(", ", AllowedHostings)}.");
        }
        else if (InKubernetes)
        {
            if (!IsAggregator)
                errors.Add("SiloHostOptions.Hosting is 'kubernetes', which only the aggregator's silo may use: an organization's silo runs on its own machine next to its private data (its systemd unit).");
            var missing = KubernetesVariables.Where(name => string.IsNullOrWhiteSpace(environment(name))).ToList();
            if (missing.Count > 0)
                errors.Add($"SiloHostOptions.Hosting is 'kubernetes' but {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} not set: the pod's manifest sets them from the downward API (metadata.name, metadata.namespace, status.podIP).");
            else if (!System.Net.IPAddress.TryParse(environment("POD_IP"), out _))
                errors.Add($"SiloHostOptions.Hosting is 'kubernetes' but POD_IP is '{environment("POD_IP")}', not an IP address.");
        }

        if (ClusterId is null || !System.Text.RegularExpressions.Regex.IsMatch(ClusterId, "^[a-z][a-z0-9]{2,31}$"))
            errors.Add($"SiloHostOptions.ClusterId is '{ClusterId}'; it must match [a-z][a-z0-9]{{2,31}} (it names Azure tables and containers).");
        if (!InKubernetes && !System.Net.IPAddress.TryParse(AdvertisedAddress, out _)) errors.Add($"SiloHostOptions.AdvertisedAddress is '{AdvertisedAddress}'; it must be an IP address.");
        if (SiloPort is < 1 or > 65535) errors.Add($"SiloHostOptions.SiloPort is {SiloPort}; it must be in [1, 65535].");
        if (GatewayPort is < 0 or > 65535) errors.Add($"SiloHostOptions.GatewayPort is {GatewayPort}; it must be in [0, 65535].");
        if (!(ProbeTimeoutSeconds > 0 && ProbeTimeoutSeconds <= 300))
            errors.Add($"SiloHostOptions.ProbeTimeoutSeconds is {ProbeTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be in (0, 300].");
        if (MissedProbesLimit is < 1 or > 100) errors.Add($"SiloHostOptions.MissedProbesLimit is {MissedProbesLimit}; it must be in [1, 100].");
        if (string.IsNullOrWhiteSpace(MembershipConnectionString)) errors.Add("SiloHostOptions.MembershipConnectionString must be set.");
        if (string.IsNullOrWhiteSpace(StorageConnectionString)) errors.Add("SiloHostOptions.StorageConnectionString must be set.");
        if (string.IsNullOrWhiteSpace(Tls?.CaCertificate)) errors.Add("SiloHostOptions.Tls.CaCertificate must be set: the federation's ca.crt (FedDistill:Silo:Tls:CaCertificate); the cluster speaks TLS only.");
        if (string.IsNullOrWhiteSpace(Tls?.Certificate)) errors.Add("SiloHostOptions.Tls.Certificate must be set: this silo's certificate from 'feddistill admin issue silo' (FedDistill:Silo:Tls:Certificate).");
        if (string.IsNullOrWhiteSpace(Tls?.Key)) errors.Add("SiloHostOptions.Tls.Key must be set: the private key of SiloHostOptions.Tls.Certificate (FedDistill:Silo:Tls:Key).");
        return errors;
    }
}
