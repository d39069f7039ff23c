namespace FedDistill.Grains.Protocol;

/// <summary>Work for a participant: an open round it has not uploaded to yet.</summary>
/// <param name="Round">The round's number.</param>
/// <param name="Settings">The round's settings.</param>
/// <param name="PublicSetFingerprint">The public set to compute logits on.</param>
/// <param name="Deadline">When uploads close.</param>
/// <param name="ConsensusRound">
/// For a co-distillation round, the completed round whose consensus to digest first
/// (<c>GET /v1/rounds/{n}/consensus</c>); null for one-shot work.
/// </param>
public sealed record RoundAssignment(int Round, RoundSettings Settings, string PublicSetFingerprint, DateTimeOffset Deadline, int? ConsensusRound);
