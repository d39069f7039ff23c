namespace FedDistill.Grains.Protocol;

/// <summary>
/// The answer to <see cref="IAggregatorGrain.SubscribeAsync"/>: the watched round and the
/// participants as they are at the moment the subscription took effect (every notification after
/// it is newer), and how long the subscription lasts unless renewed.
/// </summary>
/// <param name="Round">The watched round now.</param>
/// <param name="Participants">Every participant now, by id.</param>
/// <param name="Expiry">The subscription lapses this long after the last subscribe call; subscribe again well before.</param>
/// <param name="Sequence">The sequence number of the aggregator's last notification before this answer: the next one it sends is numbered one more.</param>
[GenerateSerializer, Immutable]
public sealed record RoundSubscription(
    [property: Id(0)] RoundInfo Round,
    [property: Id(1)] IReadOnlyList<ParticipantInfo> Participants,
    [property: Id(2)] TimeSpan Expiry,
    [property: Id(3)] long Sequence);
