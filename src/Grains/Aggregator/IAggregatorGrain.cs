using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// The federation: its participants, its rounds, the streaming ensemble of their uploads and the
/// global student. Every interaction is an async call on this interface, in process (tests,
/// simulations) or over HTTP (<c>HttpAggregatorClient</c>), as an Orleans grain would be called.
/// </summary>
/// <remarks>
/// Callers are authenticated by the host; methods that act for a participant take its id, and the
/// host passes the authenticated identity, never a value from the request body.
/// Every refusal is a <see cref="FederationException"/> thrown before any state changes.
/// </remarks>
public interface IAggregatorGrain
{
    /// <summary>The federation's public description.</summary>
    Task<FederationInfo> GetFederationAsync(CancellationToken cancellationToken);

    /// <summary>Admits an organization (admin).</summary>
    /// <exception cref="FederationException">Invalid id, or already a participant (409).</exception>
    Task<ParticipantInfo> RegisterParticipantAsync(RegisterParticipantRequest request, CancellationToken cancellationToken);

    /// <summary>Removes an organization (admin); its accepted uploads stay in their rounds.</summary>
    /// <exception cref="FederationException">Unknown participant (404).</exception>
    Task RemoveParticipantAsync(string participantId, CancellationToken cancellationToken);

    /// <summary>Every participant, by id.</summary>
    Task<IReadOnlyList<ParticipantInfo>> ListParticipantsAsync(CancellationToken cancellationToken);

    /// <summary>A participant's heartbeat; returns what the aggregator now knows of it.</summary>
    /// <exception cref="FederationException">Unknown participant (403), or an invalid report (400).</exception>
    Task<ParticipantInfo> ReportAsync(string participantId, ParticipantReport report, CancellationToken cancellationToken);

    /// <summary>Opens a round (admin).</summary>
    /// <exception cref="FederationException">Invalid settings (400), or a round is still running (409).</exception>
    Task<RoundInfo> StartRoundAsync(RoundSettings settings, CancellationToken cancellationToken);

    /// <summary>Cancels a round that is open or distilling (admin).</summary>
    /// <exception cref="FederationException">Unknown (404) or already ended (409).</exception>
    Task<RoundInfo> CancelRoundAsync(int round, CancellationToken cancellationToken);

    /// <summary>One round.</summary>
    /// <exception cref="FederationException">Unknown round (404).</exception>
    Task<RoundInfo> GetRoundAsync(int round, CancellationToken cancellationToken);

    /// <summary>Every round, by number.</summary>
    Task<IReadOnlyList<RoundInfo>> ListRoundsAsync(CancellationToken cancellationToken);

    /// <summary>The open round this participant has not uploaded to yet, or null when there is no work.</summary>
    /// <exception cref="FederationException">Unknown participant (403).</exception>
    Task<RoundAssignment?> GetAssignmentAsync(string participantId, CancellationToken cancellationToken);

    /// <summary>
    /// Accepts a participant's soft labels for a round (safetensors, see <see cref="SoftLabelsCodec"/>).
    /// Once this returns, the upload is durable and folded into the round's ensemble.
    /// </summary>
    /// <exception cref="FederationException">
    /// Unknown participant (403), unknown round (404), closed round or duplicate (409), too large
    /// (413), or anything <see cref="SoftLabelsCodec.Decode"/> refuses (400).
    /// </exception>
    Task<UploadReceipt> SubmitAsync(string participantId, int round, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>The ensemble's logits of a completed round (safetensors), for co-distillation.</summary>
    /// <param name="participantId">Who downloads it (counted in the round's bytes), or null for an admin.</param>
    /// <param name="round">A completed round.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="FederationException">Unknown or not completed round (404).</exception>
    Task<byte[]> GetConsensusAsync(string? participantId, int round, CancellationToken cancellationToken);

    /// <summary>A published student's state dict (safetensors); its version is its round's number.</summary>
    /// <exception cref="FederationException">No such student (404).</exception>
    Task<byte[]> GetStudentAsync(int version, CancellationToken cancellationToken);
}
