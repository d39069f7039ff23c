using System.Globalization;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>What <c>rounds watch</c> saw at one poll: the round and every participant's last report.</summary>
/// <param name="Round">The round.</param>
/// <param name="Participants">The admitted participants.</param>
public sealed record RoundSnapshot(RoundInfo Round, IReadOnlyList<ParticipantInfo> Participants)
{
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
            RoundState.Distilling => $"round {round.Round} {state}: student {OperatorFormat.Percent(round.DistillProgress ?? 0)} from {round.Uploaded.Count} uploads",
            RoundState.Completed => $"round {round.Round} {state}: student v{round.Result?.StudentVersion}, accuracy {OperatorFormat.Accuracy(round.Result?.StudentAccuracy)}",
            _ => $"round {round.Round} {state}: {round.FailureReason ?? "no reason given"}",
        };
    }

    /// <summary>The one line <c>rounds watch</c> prints when its output is redirected; it changes exactly when something worth reporting changed.</summary>
    public string Line()
    {
        if (Round.State.IsFinal()) return Headline();
        var participants = Rows().Select(row => row.Progress is { } progress && !row.Uploaded
            ? $"{row.ParticipantId} {row.Status} {OperatorFormat.Percent(progress)}"
            : $"{row.ParticipantId} {row.Status}");
        return string.Join(" | ", participants.Prepend(Headline()));
    }

    /// <summary>The line with the time it was seen, as the redirected watch prints it.</summary>
    public string TimedLine(DateTimeOffset now) => now.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " " + Line();
}
