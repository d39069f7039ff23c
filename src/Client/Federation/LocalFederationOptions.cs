namespace FedDistill.Client.Federation;

/// <summary>How <see cref="LocalFederation"/> lays out a federation of silo processes on this machine.</summary>
public sealed class LocalFederationOptions
{
    /// <summary>Where certificates, stores, checkpoints and logs go; created if missing.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Participants (hospitals) to start: <c>hospital-1</c> ... <c>hospital-N</c>.</summary>
    public int Participants { get; init; } = 3;

    /// <summary>Mutual TLS with the federation's own CA (the default); false runs the explicit insecure loopback mode.</summary>
    public bool Tls { get; init; } = true;

    /// <summary>Store provider of the aggregator: <c>sqlite</c> or <c>postgres</c>.</summary>
    public string StoreProvider { get; init; } = "sqlite";

    /// <summary>Connection string for the store; for SQLite the default is a file in the work directory.</summary>
    public string? StoreConnectionString { get; init; }

    /// <summary>Extra configuration of the aggregator silo (<c>FedDistill:Aggregator:...</c> keys and values).</summary>
    public IReadOnlyDictionary<string, string> AggregatorSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra configuration of participant i (0-based), e.g. its teachers.</summary>
    public Func<int, IReadOnlyDictionary<string, string>> ParticipantSettings { get; init; } = _ => new Dictionary<string, string>();

    /// <summary>Whether to start the participant silos (false: only their certificates are issued and they are admitted).</summary>
    public bool StartParticipants { get; init; } = true;

    /// <summary>Further participant ids that get a certificate but are neither admitted nor started.</summary>
    public IReadOnlyList<string> UnregisteredCertificates { get; init; } = [];

    /// <summary>Whether to admit the participants right after the aggregator starts.</summary>
    public bool RegisterParticipants { get; init; } = true;

    /// <summary>How long a silo may take to become healthy.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
