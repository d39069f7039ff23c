namespace FedDistill.Grains.Protocol;

/// <summary>
/// Secure summation: an organization's refusal to upload masked sums it cannot encode exactly, so
/// that the round's sum is never silently wrong. The aggregator records it as a rejection and
/// logs it; the round goes on without the organization, as if it had dropped out after sharing.
/// </summary>
/// <param name="ParticipantId">The refusing organization.</param>
/// <param name="Reason">Machine-readable reason, e.g. <c>sums-out-of-range</c>.</param>
/// <param name="Message">What was out of range and by how much, naming no value of the sums.</param>
[GenerateSerializer, Immutable]
public sealed record SecureUploadRefusal(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] string Reason,
    [property: Id(2)] string Message);
