using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>The human text of the federation, its participants, rounds and students.</summary>
public static class FederationText
{
    /// <summary>What <c>federation show</c> prints.</summary>
    public static string Describe(FederationInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var set = info.PublicSet;
        var lines = new List<string>
        {
            $"Federation '{info.Name}'",
            $"  public set     {set.Source} [{set.Start}, {set.Start + set.Count}), {set.AugmentedCopies} augmented copies (seed {set.AugmentationSeed}): {info.Examples} examples, {info.Classes} classes",
            $"  fingerprint    {info.PublicSetFingerprint}",
            $"  student model  {info.StudentModel}",
            $"  newest student {(info.StudentVersion == 0 ? "none yet" : $"v{info.StudentVersion}")}",
            info.Privacy is { } privacy
                ? $"  privacy        spent ε = {Epsilon(privacy.SpentEpsilon)} of a budget of ε = {Epsilon(privacy.BudgetEpsilon)} at δ = {Epsilon(privacy.Delta)} over {privacy.PrivateRounds} pate-gnmax round(s)"
                : "  privacy        no budget: rounds carry no differential-privacy guarantee",
        };
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>What <c>participants list</c> prints.</summary>
    public static string Participants(IReadOnlyList<ParticipantInfo> participants)
    {
        ArgumentNullException.ThrowIfNull(participants);
        if (participants.Count == 0) return "No participants yet: admit one with 'feddistill participants add ID'.";
        var table = new TextTable("ID", "NAME", "STATUS", "ROUND", "PROGRESS", "TEACHERS", "LAST SEEN");
        foreach (var participant in participants)
        {
            var report = participant.LastReport;
            table.Add(participant.ParticipantId, participant.DisplayName, report?.Status ?? "never seen", report?.Round?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? OperatorFormat.Missing,
                OperatorFormat.Percent(report?.Progress), report is null ? OperatorFormat.Missing : string.Join(",", report.Teachers.Select(t => t.TeacherId)),
                OperatorFormat.Time(participant.LastSeenAt));
        }

        return table.ToString();
    }

    /// <summary>What <c>rounds list</c> prints.</summary>
    public static string Rounds(IReadOnlyList<RoundInfo> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        if (rounds.Count == 0) return "No rounds yet: start one with 'feddistill rounds start'.";
        var table = new TextTable("ROUND", "STATE", "STRATEGY", "UPLOADS", "OPENED", "CLOSED", "STUDENT ACCURACY", "ε (δ)", "NOTE");
        foreach (var round in rounds)
        {
            table.Add(Invariant(round.Round), RoundStates.ToName(round.State), round.Settings.Strategy, Invariant(round.Uploaded.Count), OperatorFormat.Time(round.OpenedAt),
                OperatorFormat.Time(round.ClosedAt), OperatorFormat.Accuracy(round.Result?.StudentAccuracy), Privacy(round.Result), round.FailureReason ?? "");
        }

        return table.ToString();
    }

    /// <summary>What <c>rounds status</c>, <c>rounds start</c> and <c>rounds cancel</c> print.</summary>
    public static string Round(RoundInfo round)
    {
        ArgumentNullException.ThrowIfNull(round);
        var settings = round.Settings;
        var lines = new List<string>
        {
            $"Round {round.Round}: {RoundStates.ToName(round.State)}{(round.DistillProgress is { } progress && round.State == RoundState.Distilling ? $" ({OperatorFormat.Percent(progress)})" : "")}",
            $"  settings   strategy {settings.Strategy}, temperature {OperatorFormat.Number(settings.Temperature)}, quorum {settings.Quorum}, deadline {settings.DeadlineSeconds} s, "
                + $"student epochs {settings.StudentEpochs}, fine-tune epochs {settings.FineTuneEpochs}, revisit epochs {settings.RevisitEpochs}, dtype {settings.LogitsDType}",
            $"  opened     {OperatorFormat.Time(round.OpenedAt)}",
            $"  deadline   {OperatorFormat.Time(round.Deadline)}",
            $"  closed     {OperatorFormat.Time(round.ClosedAt)}",
            $"  uploaded   {(round.Uploaded.Count == 0 ? "nobody yet" : string.Join(", ", round.Uploaded))}",
        };
        if (round.FailureReason is { } reason) lines.Add($"  reason     {reason}");
        if (round.Result is { } result)
        {
            lines.Add($"  student    v{result.StudentVersion}, accuracy {OperatorFormat.Accuracy(result.StudentAccuracy)}, sha256 {result.StudentSha256}");
            lines.Add($"  ensemble   accuracy {OperatorFormat.Accuracy(result.EnsembleAccuracy)}, final loss {result.FinalLoss.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}");
            lines.Add($"  traffic    up {OperatorFormat.Bytes(result.UploadedBytes)}, down {OperatorFormat.Bytes(result.DownloadedBytes)}");
            lines.Add($"  time       distilling {OperatorFormat.Seconds(result.DistillSeconds)}, round {OperatorFormat.Seconds(result.RoundSeconds)}");
            if (result.Epsilon is not null)
                lines.Add($"  privacy    ε = {Privacy(result)}, {result.AnsweredExamples} public examples answered (σ = {OperatorFormat.Number(settings.NoiseSigma)}{(settings.Threshold > 0 ? $", threshold {OperatorFormat.Number(settings.Threshold)}, σ₁ = {OperatorFormat.Number(settings.ThresholdSigma)}" : "")})");
            if (result.Teachers.Count > 0)
            {
                var teachers = new TextTable("PARTICIPANT", "TEACHER", "VALIDATION ACCURACY", "AGREEMENT", "WEIGHT");
                foreach (var teacher in result.Teachers)
                    teachers.Add(teacher.ParticipantId, teacher.TeacherId, OperatorFormat.Accuracy(teacher.ValidationAccuracy), OperatorFormat.Percent(teacher.Agreement), OperatorFormat.Percent(teacher.Weight));
                lines.Add("");
                lines.Add(teachers.ToString());
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>What <c>students list</c> prints.</summary>
    public static string Students(IReadOnlyList<StudentSummary> students)
    {
        ArgumentNullException.ThrowIfNull(students);
        if (students.Count == 0) return "No students yet: a completed round publishes one.";
        var table = new TextTable("VERSION", "ACCURACY", "PUBLISHED", "STRATEGY", "TEACHERS", "SHA-256");
        foreach (var student in students)
            table.Add(Invariant(student.Version), OperatorFormat.Accuracy(student.Accuracy), OperatorFormat.Time(student.PublishedAt), student.Strategy, Invariant(student.Teachers), student.Sha256);
        return table.ToString();
    }

    // A private round's ε and δ, or a dash.
    private static string Privacy(RoundResult? result) =>
        result is { Epsilon: { } epsilon, Delta: { } delta } ? $"{Epsilon(epsilon)} ({Epsilon(delta)})" : OperatorFormat.Missing;

    private static string Epsilon(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
