using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Client.Federation;
using FedDistill.Client.Tests.Support;
using FedDistill.Security;

namespace FedDistill.Client.Tests;

/// <summary><c>feddistill federation create</c>: what it writes is a federation a real aggregator silo starts from.</summary>
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
    /// is refused; and a console reaches the federation through the silo's gateway.
    /// </summary>
    [Fact]
    public async Task Federation_create_writes_certificates_and_settings_an_aggregator_silo_starts_from()
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
        Assert.Equal(Path.Combine(aggregatorFolder, "ca.crt"), (string?)aggregator["Aggregator"]!["CaCertificate"]);
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
            Assert.Equal(Path.Combine(folder, hospitals[index], hospitals[index] + ".crt"), (string?)hospital["Silo"]!["Tls"]!["Certificate"]);
            // ... which also sign its secure-summation keys.
            Assert.Equal(Path.Combine(folder, hospitals[index], "ca.crt"), (string?)hospital["Organization"]!["CaCertificate"]);
            Assert.Equal(Path.Combine(folder, hospitals[index], hospitals[index] + ".crt"), (string?)hospital["Organization"]!["Certificate"]);
            Assert.Equal(Path.Combine(folder, hospitals[index], hospitals[index] + ".key"), (string?)hospital["Organization"]!["Key"]);
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
        using var federation = JsonDocument.Parse(shown.Output);
        Assert.Equal("lakeside", federation.RootElement.GetProperty("name").GetString());
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
