using FedDistill.Distillation.Compute;
using FedDistill.Grains.Aggregator;
using FedDistill.Grains.Persistence;
using FedDistill.Storage;
using FedDistill.Storage.Artifacts;
using Microsoft.Extensions.Options;

namespace FedDistill.Silo.Hosting;

/// <summary>
/// Owns the aggregator role in a silo: its store, artifact store and grain, started before the
/// server accepts requests (so a restarted aggregator has resumed its round by then) and
/// disposed when the host stops.
/// </summary>
public sealed partial class AggregatorHost : IHostedService, IAsyncDisposable
{
    private readonly IFederationStore _store;
    private readonly ILogger<AggregatorHost> _logger;
    private readonly string _device;

    /// <summary>Creates the store and the grain from the validated options; nothing is loaded yet.</summary>
    public AggregatorHost(IOptions<AggregatorOptions> aggregator, IOptions<StoreOptions> store, ILogger<AggregatorHost> logger)
    {
        _logger = logger;
        _device = aggregator.Value.Device;
        var storeOptions = store.Value;
        _store = FederationStoreFactory.Create(storeOptions);
        Grain = new AggregatorGrain(aggregator.Value, _store, new FileArtifactStore(storeOptions.ArtifactsDirectory));
        Grain.RoundChanged += round => LogRound(_logger, round.Round, round.State.ToString(), round.Uploaded.Count);
        Grain.Rejected += rejection => LogRejected(_logger, rejection.ParticipantId ?? "(unknown)", rejection.Reason, rejection.Detail);
        Grain.RoundCompleted += round => LogCompleted(_logger, round.Round, round.Result?.StudentAccuracy ?? double.NaN, round.Result?.DistillSeconds ?? 0);
        StoreDescription = $"{storeOptions.Provider}, artifacts in {storeOptions.ArtifactsDirectory}";
    }

    /// <summary>The aggregator grain this silo hosts.</summary>
    public AggregatorGrain Grain { get; }

    /// <summary>Which store backs it, for logs.</summary>
    public string StoreDescription { get; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Grain.StartAsync(cancellationToken);
        var federation = await Grain.GetFederationAsync(cancellationToken);
        LogStarted(_logger, federation.Name, federation.Examples, federation.PublicSetFingerprint, StoreDescription);
        LogDevice(_logger, ComputeDevice.Describe(ComputeDevice.Resolve(_device)));
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Grain.DisposeAsync();
        await _store.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Aggregator of federation '{Federation}' ready: public set of {Examples} examples, fingerprint {Fingerprint}; store {Store}")]
    private static partial void LogStarted(ILogger logger, string federation, int examples, string fingerprint, string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "The student is distilled on {Device}")]
    private static partial void LogDevice(ILogger logger, string device);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round}: {State}, {Uploads} uploads")]
    private static partial void LogRound(ILogger logger, int round, string state, int uploads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Round {Round} completed: student accuracy {Accuracy:F4}, distilled in {Seconds:F1} s")]
    private static partial void LogCompleted(ILogger logger, int round, double accuracy, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request from {Participant}: {Reason}: {Detail}")]
    private static partial void LogRejected(ILogger logger, string participant, string reason, string detail);
}
