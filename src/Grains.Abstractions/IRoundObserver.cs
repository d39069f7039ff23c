using FedDistill.Grains.Protocol;
using Orleans.Concurrency;

namespace FedDistill.Grains;

/// <summary>
/// What a subscriber of the aggregator (<see cref="IAggregatorGrain.SubscribeAsync"/>) is told as
/// rounds go on: the operator's console implements it to follow a round live.
/// </summary>
/// <remarks>
/// Every notification is one-way: the aggregator never waits on a subscriber, so a slow, gone or
/// failing console cannot hold or fail a round. Notifications of every round reach every
/// subscriber; a subscriber keeps the rounds it follows. Orleans does not keep one-way messages in
/// order (measured: a round's state overtook the upload notice sent just before it), so each
/// carries the aggregator's <c>sequence</c> number (1, 2, 3... from
/// <see cref="Protocol.RoundSubscription.Sequence"/> on, per activation of the aggregator): a
/// subscriber puts them back in order by it.
/// </remarks>
public interface IRoundObserver : IGrainObserver
{
    /// <summary>A round changed: it opened, an upload was added, it began distilling, or it ended (its state is then final).</summary>
    [OneWay]
    Task OnRoundChangedAsync(long sequence, RoundInfo round);

    /// <summary>An organization's upload was accepted (stored and folded into the round's ensemble).</summary>
    [OneWay]
    Task OnUploadAcceptedAsync(long sequence, UploadAcceptedNotice notice);

    /// <summary>An organization's request (an upload, a report, a secure-summation step) was refused, with its reason.</summary>
    [OneWay]
    Task OnRequestRefusedAsync(long sequence, RejectionInfo refusal);

    /// <summary>An organization reported what it is doing (training its teachers, digesting, computing logits...) and how far it is.</summary>
    [OneWay]
    Task OnParticipantProgressAsync(long sequence, ParticipantProgressNotice notice);

    /// <summary>The student finished one epoch of a round's distillation.</summary>
    [OneWay]
    Task OnStudentEpochAsync(long sequence, StudentEpochNotice notice);

    /// <summary>A round's student was published (the round completed).</summary>
    [OneWay]
    Task OnStudentPublishedAsync(long sequence, StudentPublishedNotice notice);
}
