using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FedDistill.Client.Federation;
using FedDistill.Client.Tests.Support;
using FedDistill.Security;

namespace FedDistill.Client.Tests;

/// <summary><c>feddistill federation create</c>: what it writes is a federation a real aggregator silo starts from.</summary>
public sealed class FederationCreateTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Federation_create_writes_certificates_and_settings_an_aggregator_starts_from()
    {
        var port = FreePort();
        var folder = Path.Combine(_work.Path, "lakeside");
        var created = await ConsoleRunner.RunAsync(["federation", "create", "--dir", folder, "--name", "lakeside", "--host", "127.0.0.1",
            "--listen", $"https://127.0.0.1:{port}", "--participant", "hospital-1", "--json"]);
        Assert.True(created.ExitCode == 0, created.ToString());
        var files = JsonSerializer.Deserialize<string[]>(created.Output)!;
        Assert.All(files, file => Assert.True(File.Exists(file), file));
        Assert.Contains(Path.Combine(folder, "hospital-1", "appsettings.json"), files);

        await using var aggregator = SiloProcess.Start("aggregator", SiloLocator.Find(), ["--contentRoot", Path.Combine(folder, "aggregator"),
            "--FedDistill:Aggregator:PublicSet:Count=500", "--FedDistill:Aggregator:PublicSet:AugmentedCopies=0", "--FedDistill:Aggregator:ValidationExamples=100",
            "--FedDistill:Aggregator:EvaluationExamples=100"], Path.Combine(_work.Path, "aggregator.log"));
        var url = new Uri($"https://127.0.0.1:{port}");
        using (var http = FederationHttpClientFactory.Create(url, Path.Combine(folder, "pki", "admin", "admin.crt"), Path.Combine(folder, "pki", "admin", "admin.key"), Path.Combine(folder, "pki", "ca", "ca.crt")))
        {
            await aggregator.WaitUntilHealthyAsync(http, TimeSpan.FromSeconds(90), CancellationToken.None);
        }

        var shown = await ConsoleRunner.RunAsync(["federation", "show", "--aggregator", url.ToString(), "--ca", Path.Combine(folder, "pki", "ca", "ca.crt"),
            "--cert", Path.Combine(folder, "pki", "admin", "admin.crt"), "--key", Path.Combine(folder, "pki", "admin", "admin.key"), "--json"]);
        Assert.True(shown.ExitCode == 0, shown + "\n" + aggregator.Tail());
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
        var again = await ConsoleRunner.RunAsync(arguments);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal(caBefore, await File.ReadAllTextAsync(Path.Combine(folder, "pki", "ca", "ca.crt")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
