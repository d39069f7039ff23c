using System.Threading.Channels;
using FedDistill.Grains;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>
/// The console's <see cref="IRoundObserver"/>: every notification the aggregator sends becomes a
/// <see cref="RoundUpdate"/> in an unbounded queue, in the order they arrive (<see cref="RoundFollower"/>
/// puts them back in the aggregator's order).
/// Orleans calls it on its own threads; it only enqueues, so it never holds them.
/// </summary>
public sealed class RoundFeed : IRoundObserver
{
    private readonly Channel<RoundUpdate> _updates = Channel.CreateUnbounded<RoundUpdate>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeProvider _time;

    /// <summary>Creates an empty feed.</summary>
    /// <param name="time">Stamps each update with when it arrived.</param>
    public RoundFeed(TimeProvider time) => _time = time;

    /// <summary>The updates, in the order they arrived.</summary>
    public ChannelReader<RoundUpdate> Updates => _updates.Reader;

    /// <inheritdoc />
    public Task OnRoundChangedAsync(long sequence, RoundInfo round) => Add(new RoundUpdate("round", _time.GetUtcNow(), sequence, Round: round));

    /// <inheritdoc />
    public Task OnUploadAcceptedAsync(long sequence, UploadAcceptedNotice notice) => Add(new RoundUpdate("upload", _time.GetUtcNow(), sequence, Upload: notice));

    /// <inheritdoc />
    public Task OnRequestRefusedAsync(long sequence, RejectionInfo refusal) => Add(new RoundUpdate("refusal", _time.GetUtcNow(), sequence, Refusal: refusal));

    /// <inheritdoc />
    public Task OnParticipantProgressAsync(long sequence, ParticipantProgressNotice notice) => Add(new RoundUpdate("progress", _time.GetUtcNow(), sequence, Progress: notice));

    /// <inheritdoc />
    public Task OnStudentEpochAsync(long sequence, StudentEpochNotice notice) => Add(new RoundUpdate("epoch", _time.GetUtcNow(), sequence, Epoch: notice));

    /// <inheritdoc />
    public Task OnStudentPublishedAsync(long sequence, StudentPublishedNotice notice) => Add(new RoundUpdate("published", _time.GetUtcNow(), sequence, Published: notice));

    private Task Add(RoundUpdate update)
    {
        // Unbounded: a write only fails once the feed is completed, when nobody reads any more.
        _updates.Writer.TryWrite(update);
        return Task.CompletedTask;
    }
}
