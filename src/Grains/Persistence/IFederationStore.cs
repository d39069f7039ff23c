namespace FedDistill.Grains.Persistence;

/// <summary>
/// The aggregator's durable state: the federation, its participants, rounds, accepted
/// submissions and rejected uploads. One contract, one class per backend (SQLite by default,
/// PostgreSQL for a real deployment), both held to the same contract tests.
/// </summary>
/// <remarks>
/// <para>
/// The store keeps metadata only; tensors (uploaded logits, checkpoints) live in an
/// <see cref="IArtifactStore"/> and are referenced here by their SHA-256.
/// Settings and results are stored as opaque JSON text so that the schema does not change
/// whenever a round setting is added.
/// </para>
/// <para>
/// Every write is atomic and durable when its task completes: an aggregator killed right after
/// an upload was acknowledged finds the submission on restart. Implementations are safe for
/// concurrent calls.
/// </para>
/// </remarks>
public interface IFederationStore : IAsyncDisposable
{
    /// <summary>Creates the schema if it does not exist yet; idempotent, safe on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The federation's record, or <see langword="null"/> before it was first saved.</summary>
    Task<FederationRecord?> GetFederationAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the (single) federation record.</summary>
    Task SaveFederationAsync(FederationRecord federation, CancellationToken cancellationToken);

    /// <summary>Adds a participant; <see langword="false"/> (and no change) when its id is taken.</summary>
    Task<bool> AddParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken);

    /// <summary>Replaces an existing participant's record; <see langword="false"/> when it is unknown.</summary>
    Task<bool> UpdateParticipantAsync(ParticipantRecord participant, CancellationToken cancellationToken);

    /// <summary>Removes a participant; <see langword="false"/> when it is unknown. Its past submissions stay.</summary>
    Task<bool> RemoveParticipantAsync(string participantId, CancellationToken cancellationToken);

    /// <summary>One participant, or <see langword="null"/> when unknown.</summary>
    Task<ParticipantRecord?> GetParticipantAsync(string participantId, CancellationToken cancellationToken);

    /// <summary>Every participant, ordered by id (ordinal).</summary>
    Task<IReadOnlyList<ParticipantRecord>> ListParticipantsAsync(CancellationToken cancellationToken);

    /// <summary>Adds a round; <see langword="false"/> (and no change) when its number is taken.</summary>
    Task<bool> AddRoundAsync(RoundRecord round, CancellationToken cancellationToken);

    /// <summary>Replaces an existing round's record; <see langword="false"/> when it is unknown.</summary>
    Task<bool> UpdateRoundAsync(RoundRecord round, CancellationToken cancellationToken);

    /// <summary>One round, or <see langword="null"/> when unknown.</summary>
    Task<RoundRecord?> GetRoundAsync(int roundNumber, CancellationToken cancellationToken);

    /// <summary>Every round, ordered by number.</summary>
    Task<IReadOnlyList<RoundRecord>> ListRoundsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records an accepted upload; <see langword="false"/> (and no change) when the participant
    /// already has a submission in that round: the store enforces one upload per participant
    /// per round even under concurrent calls.
    /// </summary>
    Task<bool> AddSubmissionAsync(SubmissionRecord submission, CancellationToken cancellationToken);

    /// <summary>A round's accepted submissions, in the order they were accepted.</summary>
    Task<IReadOnlyList<SubmissionRecord>> ListSubmissionsAsync(int roundNumber, CancellationToken cancellationToken);

    /// <summary>Records a rejected request (bad upload, impersonation...) for metrics and the dashboard.</summary>
    Task AddRejectionAsync(RejectionRecord rejection, CancellationToken cancellationToken);

    /// <summary>The most recent rejections, newest first, at most <paramref name="limit"/> (at least 1).</summary>
    Task<IReadOnlyList<RejectionRecord>> ListRejectionsAsync(int limit, CancellationToken cancellationToken);
}
