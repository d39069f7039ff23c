using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Security;

namespace FedDistill.Client.Operator;

/// <summary>
/// What <c>feddistill federation create</c> lays down for a new federation: its CA and the admin's
/// certificate under <c>pki/</c>, and a kit per site (<c>&lt;dir&gt;/aggregator/</c>,
/// <c>&lt;dir&gt;/&lt;participant&gt;/</c>): the site's silo certificate and key, the CA
/// certificate, a ready-to-run <c>appsettings.json</c> (read by
/// <c>feddistill-silo --contentRoot &lt;that folder&gt;</c>; it names the certificates relative
/// to the folder, so the folder can be copied anywhere), the site's systemd unit
/// (<see cref="SystemdUnit"/>) with an example of its <c>storage.env</c>, and for the aggregator a
/// Kubernetes manifest (<see cref="KubernetesManifest"/>).
/// </summary>
public static class FederationScaffold
{
    /// <summary>Creates everything under <paramref name="directory"/> and returns the files written, in order.</summary>
    /// <param name="directory">The federation's folder; its <c>pki/ca</c> must not exist yet.</param>
    /// <param name="name">The federation's name (the CA's and the aggregator's).</param>
    /// <param name="hosts">Host names or IP addresses the aggregator is reached at (its silo certificate's SANs).</param>
    /// <param name="listen">The aggregator's listening URL, e.g. <c>https://0.0.0.0:7443</c>.</param>
    /// <param name="participants">Participant ids to issue silo certificates and settings for.</param>
    /// <param name="privacyEpsilon">The federation's differential-privacy budget ε, or null for none (written as <c>Aggregator:Privacy</c>).</param>
    /// <param name="privacyDelta">The budget's δ, read only with a budget.</param>
    /// <param name="deployment">User, paths and image the units and the manifest name (defaults: <see cref="DeploymentSettings"/>).</param>
    /// <exception cref="ArgumentException">A name, host, URL or deployment setting is invalid; nothing was written.</exception>
    /// <exception cref="CertificateAuthorityException">A CA already exists there.</exception>
    public static IReadOnlyList<string> Create(string directory, string name, IReadOnlyList<string> hosts, string listen, IReadOnlyList<string> participants,
        double? privacyEpsilon = null, double privacyDelta = 1e-5, DeploymentSettings? deployment = null)
    {
        deployment ??= new DeploymentSettings();
        if (deployment.Validate() is { Count: > 0 } problems) throw new ArgumentException(string.Join(" ", problems));
        if (hosts.Count == 0) throw new ArgumentException("--host is required at least once: the name or address participants dial, e.g. --host aggregator.example.org.");
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var listenUri) || listenUri.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"--listen is '{listen}'; it must be an https URL such as https://0.0.0.0:7443.");
        foreach (var participant in participants)
        {
            if (FederationNames.ValidateParticipantId(participant) is { } problem)
                throw new ArgumentException($"--participant: {problem}");
        }

        var root = Path.GetFullPath(directory);
        var pki = Path.Combine(root, "pki");
        var written = new List<string>();
        using var authority = CertificateAuthority.Create(Path.Combine(pki, "ca"), name, TimeSpan.FromDays(3650));
        written.Add(authority.CertificatePath);
        var admin = authority.IssueAdmin("admin", Path.Combine(pki, "admin"));
        written.Add(admin.CertificatePath);

        // Every silo joins one Orleans cluster through the shared membership table; each site's
        // own storage is its own connection string (Azurite on one machine until set).
        var clusterId = ClusterIdOf(name);
        var aggregatorDirectory = Path.Combine(root, FederationNames.AggregatorSite);
        var aggregator = Kit(authority, FederationNames.AggregatorSite, hosts, aggregatorDirectory, written);
        var aggregatorSettings = new JsonObject
        {
            ["Silo"] = Silo("aggregator", clusterId, GatewayPort, aggregator.Tls),
            ["Security"] = aggregator.Web,
            // CaCertificate: secure-summation rounds check organizations' keys against the federation's CA.
            ["Aggregator"] = privacyEpsilon is { } budget
                ? new JsonObject { ["FederationName"] = name, ["CaCertificate"] = aggregator.Ca, ["Privacy"] = new JsonObject { ["Epsilon"] = budget, ["Delta"] = privacyDelta } }
                : new JsonObject { ["FederationName"] = name, ["CaCertificate"] = aggregator.Ca },
        };
        written.Add(WriteSettings(aggregatorDirectory, listen, aggregatorSettings.DeepClone().AsObject()));
        written.AddRange(WriteService(aggregatorDirectory, name, clusterId, FederationNames.AggregatorSite, isAggregator: true, deployment));
        // In a pod: the same settings, hosted by Kubernetes (the pod's IP advertised, every address listened on).
        var podSettings = aggregatorSettings.DeepClone().AsObject();
        podSettings["Silo"]!["Hosting"] = "kubernetes";
        podSettings["Silo"]!.AsObject().Remove("AdvertisedAddress");
        var manifest = Path.Combine(aggregatorDirectory, KubernetesManifest.FileName);
        File.WriteAllText(manifest, KubernetesManifest.Write(name, clusterId, SettingsJson($"https://0.0.0.0:{listenUri.Port}", podSettings),
            [CertificateAuthority.CertificateFileName, FederationNames.AggregatorSite + ".crt", FederationNames.AggregatorSite + ".key"], (SiloPort, GatewayPort, listenUri.Port), deployment));
        written.Add(manifest);

        for (var index = 0; index < participants.Count; index++)
        {
            var id = participants[index];
            var participantDirectory = Path.Combine(root, id);
            // 127.0.0.1: the organization's web side (/healthz) listens on loopback only.
            var kit = Kit(authority, id, ["127.0.0.1"], participantDirectory, written);
            written.Add(WriteSettings(participantDirectory, "https://127.0.0.1:0", new JsonObject
            {
                ["Silo"] = Silo("organization", clusterId, 0, kit.Tls),
                ["Security"] = kit.Web,
                ["Organization"] = new JsonObject
                {
                    ["Id"] = id,
                    // Secure-summation rounds sign the organization's keys with its silo certificate.
                    ["CaCertificate"] = kit.Ca,
                    ["Certificate"] = kit.Certificate,
                    ["Key"] = kit.Key,
                    ["PrivateData"] = new JsonObject { ["Parts"] = participants.Count, ["Index"] = index },
                    ["Teachers"] = new JsonArray(new JsonObject { ["Id"] = "cnn" }),
                },
            }));
            written.AddRange(WriteService(participantDirectory, name, clusterId, id, isAggregator: false, deployment));
        }

        return written;
    }

    /// <summary>A cluster id (<c>[a-z][a-z0-9]{2,31}</c>) made from the federation's name.</summary>
    public static string ClusterIdOf(string name)
    {
        var letters = new string(name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        if (letters.Length == 0 || !char.IsAsciiLetter(letters[0])) letters = "fd" + letters;
        return (letters.Length < 3 ? letters + "fed" : letters)[..Math.Min(32, Math.Max(3, letters.Length))];
    }

    private const int SiloPort = 11111;
    private const int GatewayPort = 30000;

    // A site's kit: its silo certificate and key (the cluster's mutual TLS and its web side's
    // HTTPS) and a copy of the federation's CA certificate, in the site's own folder; the settings
    // name them relative to that folder (the silo's content root).
    private static (JsonObject Tls, JsonObject Web, string Ca, string Certificate, string Key) Kit(CertificateAuthority authority, string site, IReadOnlyList<string> hosts, string directory, List<string> written)
    {
        var issued = authority.IssueSilo(site, hosts, directory);
        var ca = Path.Combine(directory, CertificateAuthority.CertificateFileName);
        File.Copy(authority.CertificatePath, ca, overwrite: false);
        written.AddRange([issued.CertificatePath, issued.KeyPath, ca]);
        var (caFile, certificateFile, keyFile) = (Path.GetFileName(ca), Path.GetFileName(issued.CertificatePath), Path.GetFileName(issued.KeyPath));
        var tls = new JsonObject { ["CaCertificate"] = caFile, ["Certificate"] = certificateFile, ["Key"] = keyFile };
        var web = new JsonObject { ["Mode"] = "tls", ["CaCertificatePath"] = caFile, ["ServerCertificatePath"] = certificateFile, ["ServerKeyPath"] = keyFile };
        return (tls, web, caFile, certificateFile, keyFile);
    }

    private static JsonObject Silo(string role, string clusterId, int gatewayPort, JsonObject tls) => new()
    {
        ["Role"] = role,
        ["Hosting"] = "host",
        ["ClusterId"] = clusterId,
        ["SiloPort"] = SiloPort,
        ["GatewayPort"] = gatewayPort,
        ["MembershipConnectionString"] = "UseDevelopmentStorage=true",
        ["StorageConnectionString"] = "UseDevelopmentStorage=true",
        ["Tls"] = tls,
    };

    private static string WriteSettings(string directory, string urls, JsonObject fedDistill)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(path, SettingsJson(urls, fedDistill));
        return path;
    }

    private static string SettingsJson(string urls, JsonObject fedDistill)
    {
        var settings = new JsonObject
        {
            ["urls"] = urls,
            ["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Information", ["Microsoft.AspNetCore"] = "Warning" } },
            ["FedDistill"] = fedDistill,
        };
        return settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    // The site's systemd unit and the example of the environment file it reads its storage secrets from.
    private static IEnumerable<string> WriteService(string directory, string federation, string clusterId, string site, bool isAggregator, DeploymentSettings deployment)
    {
        var unit = Path.Combine(directory, SystemdUnit.FileName(site));
        File.WriteAllText(unit, SystemdUnit.Write(federation, clusterId, site, isAggregator, deployment));
        var storage = Path.Combine(directory, "storage.env.example");
        File.WriteAllText(storage, SystemdUnit.StorageEnvironmentExample(site, isAggregator));
        return [unit, storage];
    }
}
