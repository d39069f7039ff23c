using FedDistill.Distillation.Federated;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Clients;
using FedDistill.Grains.Federation;
using FedDistill.Grains.Hosting;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Storage;
using FedDistill.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>
/// A federation as an Orleans cluster in this process: the aggregator's silo and one silo per
/// hospital, each named as its site, each with only its own storage providers (memory here), and
/// a test clock the aggregator's deadlines read. A federation CA (in a temporary directory) issues
/// each hospital its certificate, which secure-summation rounds bind their keys to.
/// </summary>
public sealed class FederationCluster : IAsyncDisposable
{
    public const string FederationName = "test-federation";
    public const int PublicExamples = 500;

    private readonly string _pki;

    private FederationCluster(InProcessTestCluster cluster, IReadOnlyList<string> hospitals, FakeTimeProvider time, string pki)
    {
        _pki = pki;
        Cluster = cluster;
        Hospitals = hospitals;
        Time = time;
    }

    public InProcessTestCluster Cluster { get; }

    public IReadOnlyList<string> Hospitals { get; }

    public FakeTimeProvider Time { get; }

    public IAggregatorGrain Aggregator => Cluster.Client.GetGrain<IAggregatorGrain>(FederationName);

    /// <summary>Starts the aggregator's silo and <paramref name="hospitals"/> hospital silos.</summary>
    /// <param name="hospitals">Hospital silos, named hospital-1, hospital-2...</param>
    /// <param name="configureHospital">Changes a hospital's options (by index, from 0).</param>
    /// <param name="configureAggregator">Changes the aggregator's options after <see cref="ConfigureAggregator"/>.</param>
    public static async Task<FederationCluster> StartAsync(int hospitals = 3, Action<int, OrganizationOptions>? configureHospital = null,
        Action<AggregatorOptions>? configureAggregator = null)
    {
        var names = Enumerable.Range(1, hospitals).Select(i => $"hospital-{i}").ToList();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var pki = Path.Combine(Path.GetTempPath(), $"feddistill-cluster-{Guid.NewGuid():N}");
        string caCertificate;
        var certificates = new Dictionary<string, IssuedCertificate>(StringComparer.Ordinal);
        using (var authority = CertificateAuthority.Create(Path.Combine(pki, "ca"), FederationName, TimeSpan.FromDays(30)))
        {
            caCertificate = authority.CertificatePath;
            foreach (var name in names) certificates[name] = authority.IssueSilo(name, ["127.0.0.1"], Path.Combine(pki, name));
        }

        var builder = new InProcessTestClusterBuilder((short)(hospitals + 1));
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName.Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
            var name = index == 0 ? SiteNames.Aggregator : names[index - 1];
            // The test cluster names its silos after the delegates run: the site name must win.
            silo.Services.PostConfigure<SiloOptions>(o => o.SiloName = name);
            silo.Services.AddKeyedSingleton<TimeProvider>(FederationClock.Key, time);
            if (index == 0)
            {
                silo.AddMemoryGrainStorage(StorageNames.Federation);
                silo.AddMemoryGrainStorage(StorageNames.FederationArtifacts);
                // Every write of the aggregator's state and artifacts, and every message it logs, is recorded for the tests that read all it kept.
                silo.Services.AddSingleton<StorageWrites>();
                silo.Services.AddSingleton<RecordingLoggerProvider>();
                silo.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(services => services.GetRequiredService<RecordingLoggerProvider>());
                foreach (var provider in new[] { StorageNames.Federation, StorageNames.FederationArtifacts })
                {
                    silo.Services.AddKeyedSingleton<IGrainStorage>(provider, (services, _) => new RecordingGrainStorage(provider,
                        MemoryGrainStorageFactory.Create(services, provider), services.GetRequiredService<StorageWrites>(), services.GetRequiredService<Orleans.Serialization.Serializer>()));
                }
                silo.AddFederationAggregator(o =>
                {
                    ConfigureAggregator(o);
                    o.CaCertificate = caCertificate;
                    configureAggregator?.Invoke(o);
                });
            }
            else
            {
                silo.AddMemoryGrainStorage(StorageNames.Organization);
                silo.AddFederationOrganization(o =>
                {
                    Hospital(o, name, index - 1, hospitals);
                    (o.CaCertificate, o.Certificate, o.Key) = (caCertificate, certificates[name].CertificatePath, certificates[name].KeyPath);
                    configureHospital?.Invoke(index - 1, o);
                });
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new FederationCluster(cluster, names, time, pki);
    }

    public static void ConfigureAggregator(AggregatorOptions options)
    {
        options.FederationName = FederationName;
        options.PublicSet = new PublicSetSpec(Start: 50_000, Count: PublicExamples, AugmentedCopies: 0);
        options.ValidationExamples = 200;
        options.EvaluationExamples = 1_000;
        options.Student = new Distillation.Models.ModelSpec { Kind = "mlp", HiddenWidths = [64] };
        options.Threads = 1;
    }

    public static void Hospital(OrganizationOptions options, string name, int index, int parts)
    {
        options.Id = name;
        options.PrivateData = new PrivateDataSpec(Count: 3_000, Parts: parts, Index: index, MinPartSize: 100);
        options.Teachers = [new TeacherOptions { Id = "mlp", Model = new Distillation.Models.ModelSpec { Kind = "mlp", HiddenWidths = [64], Dropout = 0 }, Epochs = 2, AugmentedCopies = 0 }];
        options.EvaluationExamples = 500;
        options.Threads = 1;
    }

    /// <summary>Admits every hospital.</summary>
    public async Task AdmitAllAsync()
    {
        foreach (var hospital in Hospitals) await Aggregator.AdmitAsync(new RegisterParticipantRequest(hospital));
    }

    /// <summary>Polls the round until it is in a final state, or fails after <paramref name="timeout"/>.</summary>
    public async Task<RoundInfo> WaitForEndAsync(int round, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var info = await Aggregator.GetRoundAsync(round);
            if (info.State.IsFinal()) return info;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Round {round} is still {info.State.ToName()} after {timeout.TotalSeconds} s ({info.Uploaded.Count} uploads, distill progress {info.DistillProgress}).");
            await Task.Delay(200);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the round.</summary>
    public async Task<RoundInfo> WaitForAsync(int round, Func<RoundInfo, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var info = await Aggregator.GetRoundAsync(round);
            if (condition(info)) return info;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Round {round} did not reach the expected state in {timeout.TotalSeconds} s; it is {info.State.ToName()} with {info.Uploaded.Count} uploads.");
            await Task.Delay(200);
        }
    }

    /// <summary>The silo of a site.</summary>
    public InProcessSiloHandle SiloOf(string site) =>
        Cluster.Silos.Single(s => s.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiloOptions>>().Value.SiloName == site);

    /// <summary>
    /// The sites (silo names) where <paramref name="grain"/> has an activation now, asking every
    /// active silo through the management grain; empty when it has none.
    /// </summary>
    public async Task<IReadOnlyList<string>> SitesHostingAsync(GrainId grain)
    {
        var management = Cluster.Client.GetGrain<IManagementGrain>(0);
        var names = (await management.GetDetailedHosts(onlyActive: true)).ToDictionary(host => host.SiloAddress, host => host.SiloName);
        var activations = await management.GetDetailedGrainStatistics();
        return activations.Where(a => a.GrainId == grain).Select(a => names.GetValueOrDefault(a.SiloAddress, a.SiloAddress.ToString())).ToList();
    }

    /// <summary>Cancels the round if it is still running, so that the next test on a shared cluster can start one.</summary>
    public async Task CancelIfRunningAsync(int round)
    {
        var info = await Aggregator.GetRoundAsync(round);
        if (!info.State.IsFinal()) await Aggregator.CancelRoundAsync(round);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Directory.Delete(_pki, recursive: true);
    }
}
