using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Client.Federation;
using FedDistill.Client.Operator;
using FedDistill.Client.Tests.Support;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using Orleans.Runtime;
using YamlDotNet.RepresentationModel;

namespace FedDistill.Client.Tests;

/// <summary>
/// <c>feddistill federation create</c>: what it writes is a federation real silos start from (the
/// aggregator's, and an organization's that joins its cluster), with systemd units systemd accepts
/// and a Kubernetes manifest with the objects the aggregator needs.
/// </summary>
public sealed class FederationCreateTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>
    /// Proves the kit is coherent and runnable: every silo's settings name one cluster and their own
    /// site; an aggregator silo started from its folder (only its ports, cluster id and a small public
    /// set overridden) answers /healthz over https with the kit's server certificate, checked against
    /// the kit's CA; the kit's admin certificate opens the dashboard's read model while no certificate
    /// is refused; a console reaches the federation through the silo's gateway; and an organization's
    /// silo started from its own kit (only its silo port and the cluster id overridden) joins the
    /// aggregator's cluster through the membership table: it is an active member named as the
    /// organization, and the organization's client grain answers there.
    /// </summary>
    [Fact]
    public async Task Federation_create_writes_kits_an_aggregator_silo_starts_from_and_an_organization_silo_joins_from()
    {
        var webPort = FreePort();
        var folder = Path.Combine(_work.Path, "lakeside");
        var created = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "127.0.0.1",
            "--listen", $"https://127.0.0.1:{webPort}", "--participant", "hospital-1", "--participant", "hospital-2", "--json"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var files = JsonSerializer.Deserialize<string[]>(created.Output)!;
        Assert.All(files, file => Assert.True(File.Exists(file), file));

        var aggregatorFolder = Path.Combine(folder, "aggregator");
        var aggregator = Settings(Path.Combine(aggregatorFolder, "appsettings.json"), files);
        Assert.Equal("aggregator", (string?)aggregator["Silo"]!["Role"]);
        Assert.Equal("tls", (string?)aggregator["Security"]!["Mode"]);
        Assert.Equal("lakeside", (string?)aggregator["Aggregator"]!["FederationName"]);
        // Secure-summation rounds: the aggregator checks organizations' keys against the kit's CA.
        // Relative to the kit's folder, like its other certificate paths.
        Assert.Equal("ca.crt", (string?)aggregator["Aggregator"]!["CaCertificate"]);
        var clusterId = (string?)aggregator["Silo"]!["ClusterId"];
        string[] hospitals = ["hospital-1", "hospital-2"];
        for (var index = 0; index < hospitals.Length; index++)
        {
            var hospital = Settings(Path.Combine(folder, hospitals[index], "appsettings.json"), files);
            Assert.Equal("organization", (string?)hospital["Silo"]!["Role"]);
            Assert.Equal(clusterId, (string?)hospital["Silo"]!["ClusterId"]);
            Assert.Equal(hospitals[index], (string?)hospital["Organization"]!["Id"]);
            Assert.Equal(index, (int)hospital["Organization"]!["PrivateData"]!["Index"]!);
            Assert.Equal(hospitals.Length, (int)hospital["Organization"]!["PrivateData"]!["Parts"]!);
            // The organization's kit: its silo certificate, key and the CA certificate beside its settings.
            Assert.True(File.Exists(Path.Combine(folder, hospitals[index], hospitals[index] + ".crt")));
            Assert.True(File.Exists(Path.Combine(folder, hospitals[index], hospitals[index] + ".key")));
            Assert.True(File.Exists(Path.Combine(folder, hospitals[index], "ca.crt")));
            // Named relative to the kit's folder (the silo's content root), so the folder can be copied anywhere.
            Assert.Equal(hospitals[index] + ".crt", (string?)hospital["Silo"]!["Tls"]!["Certificate"]);
            Assert.Equal("ca.crt", (string?)hospital["Security"]!["CaCertificatePath"]);
            // ... which also sign its secure-summation keys.
            Assert.Equal("ca.crt", (string?)hospital["Organization"]!["CaCertificate"]);
            Assert.Equal(hospitals[index] + ".crt", (string?)hospital["Organization"]!["Certificate"]);
            Assert.Equal(hospitals[index] + ".key", (string?)hospital["Organization"]!["Key"]);
        }

        // A cluster id of its own, so that runs sharing the storage emulator never meet.
        var cluster = "fd" + Guid.NewGuid().ToString("N")[..10];
        var gatewayPort = FreePort();
        await using var silo = SiloProcess.Start("aggregator", SiloLocator.Find(),
        [
            "--contentRoot", aggregatorFolder,
            $"--FedDistill:Silo:ClusterId={cluster}",
            $"--FedDistill:Silo:SiloPort={FreePort()}",
            $"--FedDistill:Silo:GatewayPort={gatewayPort}",
            "--FedDistill:Silo:MembershipConnectionString=UseDevelopmentStorage=true",
            "--FedDistill:Silo:StorageConnectionString=UseDevelopmentStorage=true",
            "--FedDistill:Aggregator:PublicSet:Count=500", "--FedDistill:Aggregator:PublicSet:AugmentedCopies=0",
            "--FedDistill:Aggregator:ValidationExamples=100", "--FedDistill:Aggregator:EvaluationExamples=100",
        ], Path.Combine(_work.Path, "aggregator.log"));

        var url = new Uri($"https://127.0.0.1:{webPort}");
        var ca = Path.Combine(folder, "pki", "ca", "ca.crt");
        using (var anonymous = FederationHttpClientFactory.Create(url, null, FederationCertificates.LoadCertificate(ca), ownsCertificates: true))
        {
            await WaitUntilHealthyAsync(silo, anonymous);
            using var refused = await anonymous.GetAsync("/dashboard/api/federation");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var admin = FederationHttpClientFactory.Create(url, Path.Combine(folder, "pki", "admin", "admin.crt"), Path.Combine(folder, "pki", "admin", "admin.key"), ca))
        using (var answer = await admin.GetAsync("/dashboard/api/federation"))
        {
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {body}\n{silo.Tail()}");
            using var document = JsonDocument.Parse(body);
            Assert.Equal("lakeside", document.RootElement.GetProperty("name").GetString());
            Assert.Equal(500, document.RootElement.GetProperty("examples").GetInt32());
        }

        var shown = await ConsoleRunner.RunAsync(["federation", "show", "--gateway", $"127.0.0.1:{gatewayPort}", "--cluster", cluster, "--federation", "lakeside", "--json",
            "--ca", ca, "--cert", Path.Combine(folder, "pki", "admin", "admin.crt"), "--key", Path.Combine(folder, "pki", "admin", "admin.key")]);
        Assert.True(shown.ExitCode == 0, shown + "\n" + silo.Tail());
        using (var federation = JsonDocument.Parse(shown.Output))
            Assert.Equal("lakeside", federation.RootElement.GetProperty("name").GetString());

        // An organization's silo from its kit, copied elsewhere first as an organization would install it.
        var installed = Path.Combine(_work.Path, "installed", "hospital-1");
        CopyFolder(Path.Combine(folder, "hospital-1"), installed);
        await using var hospital1 = SiloProcess.Start("hospital-1", SiloLocator.Find(),
        [
            "--contentRoot", installed,
            $"--FedDistill:Silo:ClusterId={cluster}",
            $"--FedDistill:Silo:SiloPort={FreePort()}",
        ], Path.Combine(_work.Path, "hospital-1.log"));
        await using var console = await ClusterConnection.ConnectAsync(new ConnectionSettings($"127.0.0.1:{gatewayPort}", cluster, "lakeside", false, ca,
            Path.Combine(folder, "pki", "admin", "admin.crt"), Path.Combine(folder, "pki", "admin", "admin.key")), CancellationToken.None);
        await WaitUntilMemberAsync(console, "hospital-1", hospital1, silo);
        // The membership table lists it before every silo's own view does (placement goes by the
        // view of the silo placing the grain), so the first calls may still find no such silo.
        var status = await StatusOnceActiveAsync(console, "hospital-1");
        Assert.Equal("idle", status.Status);
    }

    /// <summary>
    /// Proves each kit's systemd unit is one systemd accepts (<c>systemd-analyze verify</c> prints
    /// nothing when it is on this machine) and says what the kit needs: its silo named by its content
    /// root, the published silo, the kit's user, restarts on failure, the storage secrets from the
    /// kit's environment file, sandboxing, and not the options a .NET process cannot run under.
    /// </summary>
    [Fact]
    public async Task Federation_create_writes_a_systemd_unit_per_silo_that_systemd_accepts()
    {
        var folder = Path.Combine(_work.Path, "units");
        var created = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "127.0.0.1",
            "--participant", "hospital-1", "--user", "fedsilo", "--install-dir", "/srv/feddistill", "--silo-dir", "/opt/fd/silo"]);
        Assert.True(created.ExitCode == 0, created.ToString());

        foreach (var site in new[] { "aggregator", "hospital-1" })
        {
            var path = Path.Combine(folder, site, $"feddistill-{site}.service");
            Assert.Contains($"wrote {path}", created.Output, StringComparison.Ordinal);
            var unit = UnitKeys(await File.ReadAllTextAsync(path));
            Assert.Equal($"/usr/bin/dotnet /opt/fd/silo/feddistill-silo.dll --contentRoot /srv/feddistill/{site}", Single(unit, "Service", "ExecStart"));
            Assert.Equal("fedsilo", Single(unit, "Service", "User"));
            Assert.Equal("on-failure", Single(unit, "Service", "Restart"));
            Assert.Equal("78", Single(unit, "Service", "RestartPreventExitStatus"));
            Assert.Equal($"/srv/feddistill/{site}/storage.env", Single(unit, "Service", "EnvironmentFile"));
            Assert.Equal($"feddistill/{site}", Single(unit, "Service", "StateDirectory"));
            Assert.Equal("strict", Single(unit, "Service", "ProtectSystem"));
            Assert.Equal("yes", Single(unit, "Service", "NoNewPrivileges"));
            Assert.Equal("", Single(unit, "Service", "CapabilityBoundingSet"));
            // The JIT writes code then runs it: MemoryDenyWriteExecute would stop the runtime at start.
            Assert.DoesNotContain(("Service", "MemoryDenyWriteExecute"), unit.Select(entry => (entry.Section, entry.Key)));
            Assert.Equal("multi-user.target", Single(unit, "Install", "WantedBy"));
            // The environment file's example names exactly the two connection strings.
            var example = (await File.ReadAllLinesAsync(Path.Combine(folder, site, "storage.env.example"))).Where(line => line.Length > 0 && line[0] != '#').Select(line => line[..line.IndexOf('=')]);
            Assert.Equal(["FedDistill__Silo__MembershipConnectionString", "FedDistill__Silo__StorageConnectionString"], example);

            if (Which("systemd-analyze") is { } analyze)
            {
                var (exitCode, output) = await RunAsync(analyze, "verify", path);
                Assert.True(exitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify {path} exited {exitCode}:\n{output}");
            }
        }
    }

    /// <summary>
    /// Proves the aggregator's Kubernetes manifest is YAML with the objects it needs: a one-pod
    /// stateful set of the given image whose silo runs with Hosting=kubernetes (the pod's name,
    /// namespace and IP from the downward API), its storage secrets and certificates from Secrets
    /// (mounted with the settings at the content root), ready on /healthz over HTTPS; a service with
    /// the silo port, gateway and HTTPS; and no access to the Kubernetes API.
    /// </summary>
    [Fact]
    public async Task Federation_create_writes_an_aggregator_kubernetes_manifest_with_the_objects_it_needs()
    {
        var folder = Path.Combine(_work.Path, "manifest");
        var created = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "aggregator.example.org",
            "--listen", "https://0.0.0.0:8443", "--participant", "hospital-1", "--image", "registry.example.org/feddistill-silo:1.0"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.False(File.Exists(Path.Combine(folder, "hospital-1", KubernetesManifest.FileName)), "only the aggregator gets a manifest");

        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(folder, "aggregator", KubernetesManifest.FileName))) yaml.Load(reader);
        var objects = yaml.Documents.Select(document => (YamlMappingNode)document.RootNode).ToDictionary(node => Text(node, "kind"));
        Assert.Equal(["ConfigMap", "Service", "ServiceAccount", "StatefulSet"], objects.Keys.Order(StringComparer.Ordinal));

        var set = objects["StatefulSet"];
        Assert.Equal("1", Text(set, "spec", "replicas"));
        var pod = Node(set, "spec", "template", "spec");
        Assert.Equal(KubernetesManifest.Name, Text(pod, "serviceAccountName"));
        var container = (YamlMappingNode)((YamlSequenceNode)Node(pod, "containers")).Single();
        Assert.Equal("registry.example.org/feddistill-silo:1.0", Text(container, "image"));
        Assert.Equal(["--contentRoot", KubernetesManifest.ContentRoot], ((YamlSequenceNode)Node(container, "args")).Select(arg => ((YamlScalarNode)arg).Value));
        var env = ((YamlSequenceNode)Node(container, "env")).Cast<YamlMappingNode>().ToDictionary(variable => Text(variable, "name"));
        Assert.Equal("metadata.name", Text(env["POD_NAME"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("metadata.namespace", Text(env["POD_NAMESPACE"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal("status.podIP", Text(env["POD_IP"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal(KubernetesManifest.StorageSecret, Text((YamlMappingNode)((YamlSequenceNode)Node(container, "envFrom")).Single(), "secretRef", "name"));
        Assert.Equal("/healthz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("HTTPS", Text(container, "readinessProbe", "httpGet", "scheme"));
        Assert.Equal("8443", Text(container, "readinessProbe", "httpGet", "port"));

        var sources = ((YamlSequenceNode)Node((YamlMappingNode)((YamlSequenceNode)Node(pod, "volumes")).First(), "projected", "sources")).Cast<YamlMappingNode>().ToList();
        Assert.Equal(KubernetesManifest.TlsSecret, Text(sources[1], "secret", "name"));
        Assert.Equal(["ca.crt", "aggregator.crt", "aggregator.key"], ((YamlSequenceNode)Node(sources[1], "secret", "items")).Cast<YamlMappingNode>().Select(item => Text(item, "key")));

        var ports = ((YamlSequenceNode)Node(objects["Service"], "spec", "ports")).Cast<YamlMappingNode>().ToDictionary(port => Text(port, "name"), port => Text(port, "port"));
        Assert.Equal(new Dictionary<string, string> { ["silo"] = "11111", ["gateway"] = "30000", ["https"] = "8443" }, ports);

        // The pod's settings: the kit's, hosted by Kubernetes, listening on every address, certificates next to them.
        var settings = JsonNode.Parse(Text(objects["ConfigMap"], "data", "appsettings.json"))!;
        Assert.Equal("https://0.0.0.0:8443", (string?)settings["urls"]);
        Assert.Equal("kubernetes", (string?)settings["FedDistill"]!["Silo"]!["Hosting"]);
        Assert.Equal("aggregator", (string?)settings["FedDistill"]!["Silo"]!["Role"]);
        Assert.Equal("aggregator.crt", (string?)settings["FedDistill"]!["Silo"]!["Tls"]!["Certificate"]);
        Assert.Equal("lakeside", (string?)settings["FedDistill"]!["Aggregator"]!["FederationName"]);
        Assert.Equal("host", (string?)JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "aggregator", "appsettings.json")))!["FedDistill"]!["Silo"]!["Hosting"]);

        // The silo never calls the Kubernetes API (Orleans' cluster agent is not run): no token in the pod.
        Assert.Equal("false", Text(pod, "automountServiceAccountToken"));
    }

    [Theory]
    [InlineData("--user", "Root User")]
    [InlineData("--install-dir", "relative/path")]
    [InlineData("--image", "Not An Image")]
    public async Task Federation_create_with_a_bad_deployment_setting_exits_2_naming_it_and_writes_nothing(string option, string value)
    {
        var folder = Path.Combine(_work.Path, "refused");
        var result = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "127.0.0.1", option, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(option, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Federation_create_without_a_host_exits_2_and_writes_nothing()
    {
        var folder = Path.Combine(_work.Path, "nothing");
        var result = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--host", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Federation_create_refuses_to_replace_an_existing_federation()
    {
        var folder = Path.Combine(_work.Path, "twice");
        string[] arguments = ["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "127.0.0.1"];
        Assert.Equal(0, (await ConsoleRunner.RunAsync(arguments)).ExitCode);
        var caBefore = await File.ReadAllTextAsync(Path.Combine(folder, "pki", "ca", "ca.crt"));
        var settingsBefore = await File.ReadAllTextAsync(Path.Combine(folder, "aggregator", "appsettings.json"));
        var again = await ConsoleRunner.RunAsync(arguments);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal(caBefore, await File.ReadAllTextAsync(Path.Combine(folder, "pki", "ca", "ca.crt")));
        Assert.Equal(settingsBefore, await File.ReadAllTextAsync(Path.Combine(folder, "aggregator", "appsettings.json")));
    }

    // The FedDistill section of a settings file the command reported writing.
    private static JsonNode Settings(string path, string[] written)
    {
        Assert.Contains(path, written);
        return JsonNode.Parse(File.ReadAllText(path))!["FedDistill"]!;
    }

    // Polls /healthz until it answers 200; fails at once if the silo exits.
    private static async Task WaitUntilHealthyAsync(SiloProcess silo, HttpClient client)
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        string last = "no answer yet";
        while (!deadline.IsCancellationRequested)
        {
            Assert.False(silo.HasExited, $"the aggregator's silo exited with code {(silo.HasExited ? silo.ExitCode : 0)} while starting\n{silo.Tail()}");
            try
            {
                using var health = await client.GetAsync("/healthz", deadline.Token);
                if (health.StatusCode == HttpStatusCode.OK) return;
                last = $"/healthz answered {(int)health.StatusCode}";
            }
            catch (HttpRequestException error)
            {
                last = error.Message;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(500, CancellationToken.None);
        }

        Assert.Fail($"the aggregator's silo did not answer /healthz within {StartTimeout.TotalSeconds:F0} s ({last})\n{silo.Tail()}");
    }

    // Polls the cluster's membership (through the admin's gateway connection) until the site's silo is active; fails at once if a silo exits.
    private static async Task<ParticipantReport> StatusOnceActiveAsync(ClusterConnection admin, string site)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await admin.Client.GetGrain<IClientGrain>(site).GetStatusAsync();
            }
            catch (FederationException unavailable) when (unavailable.Reason == "site-unavailable" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(500, CancellationToken.None);
            }
        }
    }

    private static async Task WaitUntilMemberAsync(ClusterConnection admin, string site, SiloProcess joining, SiloProcess aggregator)
    {
        using var deadline = new CancellationTokenSource(StartTimeout);
        var management = admin.Client.GetGrain<IManagementGrain>(0);
        var members = "none yet";
        while (!deadline.IsCancellationRequested)
        {
            Assert.False(joining.HasExited, $"{site}'s silo exited with code {(joining.HasExited ? joining.ExitCode : 0)} while joining\n{joining.Tail()}");
            Assert.False(aggregator.HasExited, $"the aggregator's silo exited\n{aggregator.Tail()}");
            var hosts = await management.GetDetailedHosts(onlyActive: true);
            if (hosts.Any(host => host.SiloName == site && host.Status == SiloStatus.Active)) return;
            members = string.Join(", ", hosts.Select(host => $"{host.SiloName} {host.Status}"));
            await Task.Delay(500, CancellationToken.None);
        }

        Assert.Fail($"{site}'s silo did not become an active member within {StartTimeout.TotalSeconds:F0} s (members: {members})\n{joining.Tail()}\n{aggregator.Tail()}");
    }

    // A unit file's (section, key, value) entries, in order; comments and blank lines dropped.
    private static List<(string Section, string Key, string Value)> UnitKeys(string text)
    {
        var entries = new List<(string, string, string)>();
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                Assert.EndsWith("]", line, StringComparison.Ordinal);
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0 && section.Length > 0, $"not a key=value line in a section: '{line}'");
            entries.Add((section, line[..equals], line[(equals + 1)..]));
        }

        Assert.Equal(["Unit", "Service", "Install"], entries.Select(entry => entry.Item1).Distinct());
        return entries;
    }

    private static string Single(List<(string Section, string Key, string Value)> unit, string section, string key) =>
        Assert.Single(unit, entry => entry.Section == section && entry.Key == key).Value;

    private static YamlNode Node(YamlNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path) current = ((YamlMappingNode)current).Children[new YamlScalarNode(key)];
        return current;
    }

    private static string Text(YamlNode node, params string[] path) => ((YamlScalarNode)Node(node, path)).Value!;

    private static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
