using FedDistill.Client.Federation;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// One aggregator silo on loopback with mutual TLS (LocalFederation), shared by a test class, and
/// the console's connection arguments for it: the admin's certificate, or another identity's.
/// </summary>
public sealed class ConsoleFederation : IAsyncLifetime
{
    private readonly TemporaryDirectory _work = new();

    public LocalFederation Federation { get; private set; } = null!;

    /// <summary>A scratch directory that goes with the fixture.</summary>
    public string WorkDirectory => _work.Path;

    public async Task InitializeAsync() => Federation = await LocalFederation.StartAsync(SmallFederation.Options(Path.Combine(_work.Path, "federation")), CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (Federation is not null) await Federation.DisposeAsync();
        _work.Dispose();
    }

    /// <summary>The connection options for <paramref name="identity"/>'s certificate (default: the admin's).</summary>
    public string[] Connection(string identity = "admin") =>
    [
        "--aggregator", Federation.AggregatorUrl.ToString(),
        "--ca", Federation.CaCertificatePath,
        "--cert", Path.Combine(Federation.Pki, identity, identity + ".crt"),
        "--key", Path.Combine(Federation.Pki, identity, identity + ".key"),
    ];

    /// <summary>Runs the console as the admin: <paramref name="arguments"/> then the connection options.</summary>
    public Task<ConsoleResult> RunAsync(params string[] arguments) => ConsoleRunner.RunAsync([.. arguments, .. Connection()]);

    /// <summary>The log tails of the silo, for a failure message.</summary>
    public string Logs() => Federation.Logs();
}
