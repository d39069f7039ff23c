using System.Collections.Concurrent;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Cluster;

/// <summary>An <see cref="IRoundObserver"/> that keeps every notification it receives with its sequence number.</summary>
public sealed class RecordingRoundObserver : IRoundObserver
{
    private readonly ConcurrentQueue<(long Sequence, object Notification)> _received = new();

    /// <summary>Every notification so far, in the aggregator's order (by sequence number): <see cref="RoundInfo"/>, <see cref="UploadAcceptedNotice"/>, <see cref="RejectionInfo"/>, <see cref="ParticipantProgressNotice"/>, <see cref="StudentEpochNotice"/> or <see cref="StudentPublishedNotice"/>.</summary>
    // A snapshot first: LINQ sizes its result from the queue's count, which notifications arriving
    // meanwhile change (IndexOutOfRangeException in the middle of the query).
    public IReadOnlyList<object> Received => _received.ToArray().OrderBy(entry => entry.Sequence).Select(entry => entry.Notification).ToList();

    /// <summary>The sequence numbers received, in the aggregator's order.</summary>
    public IReadOnlyList<long> Sequences => _received.ToArray().Select(entry => entry.Sequence).Order().ToList();

    public Task OnRoundChangedAsync(long sequence, RoundInfo round) => Add(sequence, round);

    public Task OnUploadAcceptedAsync(long sequence, UploadAcceptedNotice notice) => Add(sequence, notice);

    public Task OnRequestRefusedAsync(long sequence, RejectionInfo refusal) => Add(sequence, refusal);

    public Task OnParticipantProgressAsync(long sequence, ParticipantProgressNotice notice) => Add(sequence, notice);

    public Task OnStudentEpochAsync(long sequence, StudentEpochNotice notice) => Add(sequence, notice);

    public Task OnStudentPublishedAsync(long sequence, StudentPublishedNotice notice) => Add(sequence, notice);

    /// <summary>Waits until a notification matches <paramref name="condition"/>, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<object, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Received.Any(condition))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No matching notification within {timeout.TotalSeconds} s; received: {string.Join(", ", Received.Select(r => r.GetType().Name))}.");
            await Task.Delay(100);
        }
    }

    private Task Add(long sequence, object notification)
    {
        _received.Enqueue((sequence, notification));
        return Task.CompletedTask;
    }
}
