using FedDistill.Client.Federation;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// A small federation on loopback (LocalFederation: the aggregator's silo, and the hospitals'
/// silos when <see cref="StartsHospitals"/>), shared by a test class, and the console's connection
/// options for it: the aggregator silo's gateway, the cluster id and the federation's name.
/// </summary>
public class ConsoleFederation : IAsyncLifetime
{
    private readonly TemporaryDirectory _work = new();

    /// <summary>A federation whose hospitals are admitted but whose silos do not run (no round can get an upload).</summary>
    public ConsoleFederation()
        : this(startsHospitals: false)
    {
    }

    /// <summary>A federation whose hospitals' silos run when <paramref name="startsHospitals"/>.</summary>
    protected ConsoleFederation(bool startsHospitals) => StartsHospitals = startsHospitals;

    /// <summary>Whether the hospitals' silos run (they train teachers and upload when a round opens).</summary>
    public bool StartsHospitals { get; }

    public LocalFederation Federation { get; private set; } = null!;

    /// <summary>A scratch directory that goes with the fixture.</summary>
    public string WorkDirectory => _work.Path;

    public async Task InitializeAsync() =>
        Federation = await LocalFederation.StartAsync(SmallFederation.Options(Path.Combine(_work.Path, "federation"), StartsHospitals), CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (Federation is not null) await Federation.DisposeAsync();
        _work.Dispose();
    }

    /// <summary>The connection options of this federation: <c>--gateway</c>, <c>--cluster</c>, <c>--federation</c> and the admin's certificate.</summary>
    public string[] Connection() =>
    [
        "--gateway", Federation.Gateway,
        "--cluster", Federation.ClusterId,
        "--federation", Federation.FederationName,
        .. AdminCertificate(),
    ];

    /// <summary>The options that give the console the admin's certificate: <c>--ca</c>, <c>--cert</c>, <c>--key</c>.</summary>
    public string[] AdminCertificate() => ["--ca", Federation.CaCertificatePath, "--cert", Federation.AdminCertificatePath, "--key", Federation.AdminKeyPath];

    /// <summary>Runs the console: <paramref name="arguments"/> then the connection options.</summary>
    public Task<ConsoleResult> RunAsync(params string[] arguments) => ConsoleRunner.RunAsync([.. arguments, .. Connection()]);

    /// <summary>The log tails of the silos, for a failure message.</summary>
    public string Logs() => Federation.Logs();
}
