using System.Globalization;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>What <c>rounds watch</c> knows of a round: the round, every participant's last report and the student's last epoch.</summary>
/// <param name="Round">The round.</param>
/// <param name="Participants">The admitted participants.</param>
/// <param name="LastEpoch">The student's last finished epoch in this round, once it distills.</param>
public sealed record RoundSnapshot(RoundInfo Round, IReadOnlyList<ParticipantInfo> Participants, StudentEpochNotice? LastEpoch = null)
{
    /// <summary>The snapshot a subscription starts from.</summary>
    public static RoundSnapshot From(RoundSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return new RoundSnapshot(subscription.Round, subscription.Participants);
    }

    /// <summary>This snapshot with <paramref name="update"/> applied (updates about other rounds change nothing).</summary>
    public RoundSnapshot Apply(RoundUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.Snapshot is { } subscription) return From(subscription);
        if (update.RoundNumber is { } about && about != Round.Round) return this;
        if (update.Round is { } round) return this with { Round = round };
        if (update.Epoch is { } epoch) return this with { LastEpoch = epoch };
        if (update.Progress is { } progress)
        {
            return this with
            {
                Participants = Participants.Select(participant => participant.ParticipantId == progress.ParticipantId
                    ? participant with { LastSeenAt = progress.At, LastReport = progress.Report }
                    : participant).ToList(),
            };
        }

        return this;
    }

    /// <summary>
    /// The line <c>rounds watch</c> prints for <paramref name="update"/> when its output is not a
    /// terminal, from this snapshot (with the update applied); null for an update worth no line.
    /// </summary>
    public string? Line(RoundUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.Kind switch
        {
            "snapshot" => Line(),
            "round" => Headline(),
            "upload" when update.Upload is { } upload =>
                $"round {upload.Round}: upload of {upload.ParticipantId} accepted ({OperatorFormat.Bytes(upload.Bytes)}, {upload.Teachers} teachers); {upload.Uploads} uploaded",
            "refusal" when update.Refusal is { } refusal =>
                $"refused {refusal.ParticipantId ?? "an unknown caller"}{(refusal.Round is { } number ? $" in round {number}" : "")}: {refusal.Reason}: {refusal.Detail}",
            "progress" when update.Progress is { } progress => progress.Report.Progress is { } fraction && progress.Report.Round is not null
                ? $"{progress.ParticipantId} {progress.Report.Status} {OperatorFormat.Percent(fraction)}"
                : $"{progress.ParticipantId} {progress.Report.Status}",
            "epoch" when update.Epoch is { } epoch =>
                $"round {epoch.Round}: student epoch {epoch.Metrics.Epoch}/{epoch.Epochs}, loss {epoch.Metrics.Loss.ToString("F4", CultureInfo.InvariantCulture)}, accuracy {OperatorFormat.Accuracy(epoch.Metrics.Accuracy)}",
            "published" when update.Published is { } published =>
                $"round {published.Round}: student v{published.Result.StudentVersion} published, sha256 {OperatorFormat.ShortHash(published.Result.StudentSha256)}, accuracy {OperatorFormat.Accuracy(published.Result.StudentAccuracy)}",
            _ => null,
        };
    }

    /// <summary>One row per participant (admitted ones, then any that uploaded and were removed since), in id order.</summary>
    public IReadOnlyList<ParticipantRow> Rows()
    {
        var rows = Participants.Select(participant =>
        {
            var uploaded = Round.Uploaded.Contains(participant.ParticipantId, StringComparer.Ordinal);
            var report = participant.LastReport;
            var working = report is not null && report.Round == Round.Round;
            var status = uploaded ? "uploaded" : report?.Status ?? "never seen";
            return new ParticipantRow(participant.ParticipantId, participant.DisplayName, status, uploaded ? 1.0 : working ? report!.Progress : null, uploaded, participant.LastSeenAt);
        }).ToList();
        foreach (var id in Round.Uploaded.Where(id => rows.All(row => row.ParticipantId != id)))
            rows.Add(new ParticipantRow(id, id, "uploaded (removed since)", 1.0, true, null));
        return rows.OrderBy(row => row.ParticipantId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The round's headline: state, uploads against participants, distillation progress, outcome.</summary>
    public string Headline()
    {
        var round = Round;
        var state = RoundStates.ToName(round.State);
        return round.State switch
        {
            RoundState.Open => $"round {round.Round} {state}: {round.Uploaded.Count}/{Math.Max(Participants.Count, round.Uploaded.Count)} uploaded (quorum {round.Settings.Quorum}, deadline {OperatorFormat.Time(round.Deadline)})",
            RoundState.Distilling => $"round {round.Round} {state}: student from {round.Uploaded.Count} uploads{(LastEpoch is { } epoch ? $", epoch {epoch.Metrics.Epoch}/{epoch.Epochs}" : "")}",
            RoundState.Completed => $"round {round.Round} {state}: student v{round.Result?.StudentVersion}, accuracy {OperatorFormat.Accuracy(round.Result?.StudentAccuracy)}",
            _ => $"round {round.Round} {state}: {round.FailureReason ?? "no reason given"}",
        };
    }

    /// <summary>The round and every participant on one line: what <c>rounds watch</c> prints first when its output is redirected.</summary>
    public string Line()
    {
        if (Round.State.IsFinal()) return Headline();
        var participants = Rows().Select(row => row.Progress is { } progress && !row.Uploaded
            ? $"{row.ParticipantId} {row.Status} {OperatorFormat.Percent(progress)}"
            : $"{row.ParticipantId} {row.Status}");
        return string.Join(" | ", participants.Prepend(Headline()));
    }

    /// <summary>A line stamped with the time it was seen, as the redirected watch prints it.</summary>
    public static string Timed(DateTimeOffset at, string line) => at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + line;
}
