using FedDistill.Grains.Protocol;
using Orleans.Concurrency;

namespace FedDistill.Grains;

/// <summary>
/// The federation (one grain per federation, keyed by its name, living on the aggregator's silo):
/// its participants, its rounds, the streaming ensemble of their uploads and the global student.
/// </summary>
/// <remarks>
/// Every refusal is a <see cref="FederationException"/> thrown before any state changes. Methods
/// that act for an organization take its id and are accepted only from that organization's
/// <see cref="IClientGrain"/>: the grain checks the caller's identity, never a claim in the payload,
/// and records a call from anyone else, the operator included, as <c>impersonation</c> (the
/// silos' call filter lets the operator's reach it for that reason). Every other method is the
/// operator's (<see cref="AllowedCallersAttribute"/>).
/// </remarks>
[AllowedCallers(FederationCallers.Admin)]
public interface IAggregatorGrain : IGrainWithStringKey
{
    /// <summary>The federation's public description.</summary>
    [AllowedCallers(FederationCallers.Admin | FederationCallers.AnyOrganization)]
    Task<FederationInfo> GetFederationAsync();

    /// <summary>Admits an organization (admin).</summary>
    /// <exception cref="FederationException">Invalid id, or already a participant.</exception>
    Task<ParticipantInfo> AdmitAsync(RegisterParticipantRequest request);

    /// <summary>Removes an organization (admin); its accepted uploads stay in their rounds.</summary>
    /// <exception cref="FederationException">Unknown participant.</exception>
    Task RemoveParticipantAsync(string participantId);

    /// <summary>Every participant, by id.</summary>
    Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync();

    /// <summary>Opens a round (admin) and hands its work to every participant.</summary>
    /// <exception cref="FederationException">Invalid settings, or a round is still running.</exception>
    Task<RoundInfo> StartRoundAsync(RoundSettings settings);

    /// <summary>Cancels a round that is open or distilling (admin).</summary>
    /// <exception cref="FederationException">Unknown or already ended.</exception>
    Task<RoundInfo> CancelRoundAsync(int round);

    /// <summary>One round.</summary>
    /// <exception cref="FederationException">Unknown round.</exception>
    Task<RoundInfo> GetRoundAsync(int round);

    /// <summary>Every round, by number.</summary>
    Task<IReadOnlyList<RoundInfo>> ListRoundsAsync();

    /// <summary>
    /// Subscribes <paramref name="observer"/> (admin) to the federation's round notifications
    /// (<see cref="IRoundObserver"/>), or renews its subscription, and returns round
    /// <paramref name="round"/> and the participants as they are now. The subscription lapses
    /// <see cref="RoundSubscription.Expiry"/> after the last call: call again well before to keep it.
    /// </summary>
    /// <exception cref="FederationException">Unknown round; nothing is subscribed.</exception>
    [AllowedCallers(FederationCallers.Admin)]
    Task<RoundSubscription> SubscribeAsync(IRoundObserver observer, int round);

    /// <summary>Ends <paramref name="observer"/>'s subscription (admin); unknown observers are ignored.</summary>
    [AllowedCallers(FederationCallers.Admin)]
    Task UnsubscribeAsync(IRoundObserver observer);

    /// <summary>The most recent refused requests, newest first.</summary>
    Task<IReadOnlyList<RejectionInfo>> ListRejectionsAsync();

    /// <summary>An organization's status report (from its client grain).</summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, or an invalid report.</exception>
    /// <remarks>
    /// Interleaves with the aggregator's other requests: it completes without awaiting, so it
    /// needs no turn of its own, and organizations' frequent reports do not queue behind an upload's storage write.
    /// </remarks>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    [AlwaysInterleave]
    Task ReportAsync(string participantId, ParticipantReport report);

    /// <summary>
    /// Appends a chunk (at most <see cref="UploadChunk.MaxBytes"/>) of an organization's soft-label
    /// payload for a round (in a secure round: its masked ring vector); nothing is folded until <see cref="CompleteUploadAsync"/>.
    /// </summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, closed round, duplicate, out-of-order or oversized chunk.</exception>
    /// <remarks>
    /// Interleaves like <see cref="ReportAsync"/> (it completes without awaiting): the next
    /// organization's chunks arrive while the last one's payload is being stored.
    /// </remarks>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    [AlwaysInterleave]
    Task AppendUploadAsync(UploadChunk chunk);

    /// <summary>
    /// Takes the payload's last piece when it comes with the completion
    /// (<see cref="UploadCompletion.Last"/>), validates the assembled payload (size, hash, format,
    /// round, fingerprint, shapes, dtype, finite values), stores it and queues it to be folded into
    /// the round's ensemble. Once this returns the upload is durable and counts towards the quorum.
    /// </summary>
    /// <remarks>
    /// A plain upload's completion (<see cref="UploadCompletion.Masked"/> false) interleaves with
    /// the aggregator's other requests while its payload is decoded and written to storage, so that
    /// many organizations' writes overlap; a masked upload's does not (it is a step of the secure
    /// protocol, which stores the round's state).
    /// </remarks>
    /// <exception cref="FederationException">Every refusal, with its reason; the round is unchanged by it.</exception>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    Task<UploadReceipt> CompleteUploadAsync(UploadCompletion completion);

    /// <summary>
    /// Secure summation, step 1: an organization's signed keys for an open secure round (from its
    /// client grain). Once every organization the round was opened for has advertised, the
    /// aggregator hands the list to each of them.
    /// </summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, not an open secure round in its key phase, a repeat, or keys not bound to the organization's federation certificate.</exception>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    Task AdvertiseKeysAsync(int round, SecureKeyAdvertisement advertisement);

    /// <summary>
    /// Secure summation, step 2: an organization's encrypted shares, one bundle for each peer. Once
    /// every organization that advertised has shared, the aggregator hands each its bundles and
    /// the round takes masked uploads (<see cref="AppendUploadAsync"/>, <see cref="CompleteUploadAsync"/>).
    /// </summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, not in the sharing phase, a repeat, or bundles not from this organization to each peer exactly once.</exception>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    Task ShareKeysAsync(string participantId, int round, IReadOnlyList<SecureShareBundle> bundles);

    /// <summary>
    /// Secure summation, last step: a surviving organization's shares that let the aggregator
    /// remove the masks from the sum. With every survivor's answer (or the threshold's by the
    /// reveal deadline) the aggregator unmasks the sum into the round's ensemble.
    /// </summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, not a survivor, not in the reveal phase, or a repeat.</exception>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    Task RevealSharesAsync(int round, SecureShareReveal reveal);

    /// <summary>
    /// Secure summation: an organization that shared its keys says why it will not upload masked
    /// sums (values beyond the ring's clip bound would be clipped, and the sum silently wrong). The
    /// aggregator records the refusal (<see cref="ListRejectionsAsync"/>) and logs it; the round
    /// treats the organization as dropped out.
    /// </summary>
    /// <exception cref="FederationException">Unknown participant, impersonation, or not an open secure round.</exception>
    [AllowedCallers(FederationCallers.AnyOrganization | FederationCallers.Admin)]
    Task RefuseSecureUploadAsync(int round, SecureUploadRefusal refusal);

    /// <summary>The ensemble's logits of a completed round, in chunks, for co-distillation.</summary>
    /// <param name="participantId">Who downloads it (counted in the round's bytes), or null for an admin.</param>
    /// <param name="round">A completed round.</param>
    /// <exception cref="FederationException">Unknown or not completed round.</exception>
    [AllowedCallers(FederationCallers.Admin | FederationCallers.AnyOrganization)]
    IAsyncEnumerable<byte[]> ReadConsensusAsync(string? participantId, int round);

    /// <summary>A published student's state dict (safetensors), in chunks; its version is its round's number.</summary>
    /// <exception cref="FederationException">No such student.</exception>
    IAsyncEnumerable<byte[]> ReadStudentAsync(int version);

    /// <summary>
    /// What a completed round's student distilled from (admin only): its target logits on the
    /// public set (the round's ensemble, or its blend with earlier rounds' targets), one row of
    /// <c>classes</c> float32 values per public example in the public set's order, little-endian,
    /// in chunks of at most <see cref="UploadChunk.MaxBytes"/>. <c>feddistill students compress</c>
    /// fine-tunes a compressed student against it, so it needs no teacher.
    /// </summary>
    /// <param name="round">A completed round (its student's version).</param>
    /// <exception cref="FederationException">No such student (<c>no-student</c>), or its target is missing from storage.</exception>
    [AllowedCallers(FederationCallers.Admin)]
    IAsyncEnumerable<byte[]> ReadDistillationTargetAsync(int round);
}
