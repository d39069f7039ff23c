using FedDistill.Distillation.Federated;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The federation's durable state, one table entity (small by design: logits and students are
/// artifacts, referred to by name). Written before any change is acknowledged.
/// </summary>
[GenerateSerializer]
public sealed class FederationState
{
    /// <summary>Most refusals kept; older ones are dropped (metrics keep the counts).</summary>
    public const int MaxRejections = 200;

    /// <summary>The public set the federation was created on.</summary>
    [Id(0)]
    public PublicSetSpec? PublicSet { get; set; }

    /// <summary>Its fingerprint; a silo restarted with another public set refuses to resume.</summary>
    [Id(1)]
    public string? PublicSetFingerprint { get; set; }

    /// <summary>When the federation was created.</summary>
    [Id(2)]
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Admitted organizations, by id.</summary>
    [Id(3)]
    public Dictionary<string, ParticipantInfo> Participants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every round, in order.</summary>
    [Id(4)]
    public List<RoundRecord> Rounds { get; set; } = [];

    /// <summary>The most recent refusals, oldest first.</summary>
    [Id(5)]
    public List<RejectionInfo> Rejections { get; set; } = [];

    /// <summary>The newest published student (its round), or 0.</summary>
    [Id(6)]
    public int StudentVersion { get; set; }
}

/// <summary>One round as stored.</summary>
[GenerateSerializer]
public sealed class RoundRecord
{
    /// <summary>Its number, from 1.</summary>
    [Id(0)]
    public int Number { get; set; }

    /// <summary>Its state.</summary>
    [Id(1)]
    public RoundState State { get; set; }

    /// <summary>What the operator chose.</summary>
    [Id(2)]
    public RoundSettings Settings { get; set; } = new();

    /// <summary>When it opened.</summary>
    [Id(3)]
    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>When uploads close: a persisted time, so a restarted aggregator keeps it.</summary>
    [Id(4)]
    public DateTimeOffset Deadline { get; set; }

    /// <summary>When it ended.</summary>
    [Id(5)]
    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Why it failed or was cancelled.</summary>
    [Id(6)]
    public string? FailureReason { get; set; }

    /// <summary>Its outcome once completed.</summary>
    [Id(7)]
    public RoundResult? Result { get; set; }

    /// <summary>Accepted uploads, in order; each one's payload is the artifact <see cref="UploadRecord.Artifact"/>.</summary>
    [Id(8)]
    public List<UploadRecord> Uploads { get; set; } = [];

    /// <summary>Consensus bytes organizations downloaded for this round.</summary>
    [Id(9)]
    public long DownloadedBytes { get; set; }

    /// <summary>The completed round co-distillation digests in this round, or null for one-shot work.</summary>
    [Id(10)]
    public int? ConsensusRound { get; set; }

    /// <summary>A secure round's protocol state while it is open (null for plain rounds, and for secure rounds stored before it existed).</summary>
    [Id(11)]
    public SecureRoundRecord? Secure { get; set; }
}

/// <summary>An accepted upload.</summary>
/// <param name="ParticipantId">Its organization.</param>
/// <param name="Artifact">Where its payload is stored.</param>
/// <param name="Sha256">The payload's SHA-256.</param>
/// <param name="Bytes">The payload's size.</param>
/// <param name="Teachers">Teachers in it.</param>
/// <param name="ComputeSeconds">The organization's teacher work for it.</param>
/// <param name="At">When it was accepted.</param>
[GenerateSerializer, Immutable]
public sealed record UploadRecord(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string Artifact,
    [property: Id(2)] string Sha256,
    [property: Id(3)] long Bytes,
    [property: Id(4)] int Teachers,
    [property: Id(5)] double ComputeSeconds,
    [property: Id(6)] DateTimeOffset At);
