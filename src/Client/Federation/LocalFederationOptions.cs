namespace FedDistill.Client.Federation;

/// <summary>How <see cref="LocalFederation"/> lays out a federation of silo processes on this machine.</summary>
public sealed class LocalFederationOptions
{
    /// <summary>Where the silos' logs go; created if missing.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Participants (hospitals) to start: <c>hospital-1</c> ... <c>hospital-N</c>.</summary>
    public int Participants { get; init; } = 3;

    /// <summary>The cluster id; null for a fresh one, so federations sharing a storage account never see each other's state.</summary>
    public string? ClusterId { get; init; }

    /// <summary>The Azure Storage connection string; null for <c>$FEDDISTILL_STORAGE</c>, else Azurite on 127.0.0.1.</summary>
    public string? StorageConnectionString { get; init; }

    /// <summary>Extra configuration of the aggregator's silo (<c>FedDistill:Aggregator:...</c> keys and values).</summary>
    public IReadOnlyDictionary<string, string> AggregatorSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra configuration of participant i's silo (0-based), e.g. its teachers (<c>FedDistill:Organization:...</c>).</summary>
    public Func<int, IReadOnlyDictionary<string, string>> ParticipantSettings { get; init; } = _ => new Dictionary<string, string>();

    /// <summary>Whether to start the participants' silos (false: they are only admitted).</summary>
    public bool StartParticipants { get; init; } = true;

    /// <summary>Whether to admit the participants right after the aggregator starts.</summary>
    public bool RegisterParticipants { get; init; } = true;

    /// <summary>How long the aggregator's silo may take to answer through its gateway.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);
}
