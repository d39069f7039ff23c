using System.Diagnostics;
using System.Globalization;
using FedDistill.Client.Federation;
using FedDistill.Client.Operator;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Demo;

/// <summary>
/// The main job: a federation on this machine. An aggregator silo and three hospital silos run as
/// separate processes forming one Orleans cluster on loopback, with membership and
/// state in Azure Storage (Azurite); each hospital trains a CNN teacher on its own
/// Dirichlet(α)-skewed share of Fashion-MNIST; over several rounds the aggregator ensembles their
/// logits on the public set and distills a small CNN student, which is evaluated on the test set.
/// </summary>
public static class FederatedDemo
{
    /// <summary>Runs the demo, writing progress and the final table to <paramref name="output"/>; returns the exit code.</summary>
    public static async Task<int> RunAsync(FederatedDemoOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var invariant = CultureInfo.InvariantCulture;
        var work = Path.GetFullPath(options.WorkDirectory);
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        output.WriteLine($"FedDistill federated demo: {options.Participants} hospitals, {options.Rounds} rounds, Dirichlet α = {options.Alpha.ToString(invariant)}, an Orleans cluster on loopback");
        output.WriteLine($"work directory: {work} (silo logs)");

        var total = Stopwatch.StartNew();
        await using var federation = await LocalFederation.StartAsync(new LocalFederationOptions
        {
            WorkDirectory = work,
            Participants = options.Participants,
            AggregatorSettings = AggregatorSettings(options),
            ParticipantSettings = index => ParticipantSettings(options, index),
            StartTimeout = TimeSpan.FromSeconds(120),
        }, cancellationToken).ConfigureAwait(false);
        federation.OutputLine += line => { if (ParticipantLine(line) is { } shown) output.WriteLine(shown); };
        var info = await federation.Admin.GetFederationAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        output.WriteLine($"aggregator silo up (cluster {federation.ClusterId}, gateway {federation.Gateway}, dashboard {federation.WebUrl}dashboard/): federation '{info.Name}', public set of {info.Examples} images ({info.PublicSet.Count} + {info.PublicSet.AugmentedCopies} augmented copies each), fingerprint {info.PublicSetFingerprint[..16]}...");
        output.WriteLine($"participants admitted: {string.Join(", ", federation.ParticipantIds)}; each trains its teacher, then uploads logits");

        var rounds = new List<RoundInfo>();
        for (var number = 1; number <= options.Rounds; number++)
        {
            var settings = new RoundSettings
            {
                Strategy = options.Strategy,
                Temperature = options.Temperature,
                Quorum = options.Participants,
                DeadlineSeconds = options.DeadlineSeconds,
                StudentEpochs = options.StudentEpochs,
                FineTuneEpochs = number == 1 ? 0 : options.DigestEpochs,
                RevisitEpochs = options.RevisitEpochs,
                LogitsDType = "float16",
                // An equal-weight average of every round's ensemble so far: round r keeps (r - 1) / r of the last target.
                TargetHistoryWeight = options.AverageTargets ? (number - 1) / (double)number : 0,
            };
            var round = await federation.Admin.StartRoundAsync(settings).WaitAsync(cancellationToken).ConfigureAwait(false);
            output.WriteLine($"round {round.Round}: started ({(settings.FineTuneEpochs > 0 ? "co-distillation: digest the last consensus, revisit private data" : "one-shot ensemble distillation")}, {settings.Strategy}, T = {settings.Temperature.ToString(invariant)}, quorum {settings.Quorum})");
            var finished = await WatchAsync(federation, round.Round, output, cancellationToken).ConfigureAwait(false);
            rounds.Add(finished);
            if (finished.State != RoundState.Completed)
            {
                output.WriteLine($"round {finished.Round} {finished.State.ToName()}: {finished.FailureReason}");
                output.WriteLine(federation.Logs());
                return 1;
            }

            output.WriteLine(string.Format(invariant, "round {0}: completed, student accuracy {1:F4} (distilled in {2:F0} s)", finished.Round, finished.Result!.StudentAccuracy, finished.Result.DistillSeconds));
        }

        WriteTable(output, rounds, federation.ParticipantIds, options);
        output.WriteLine(string.Format(invariant, "total time {0:F0} s", total.Elapsed.TotalSeconds));
        output.WriteLine(string.Format(invariant, "student accuracy: {0:F4}", rounds[^1].Result!.StudentAccuracy ?? 0));
        return 0;
    }

    // Follows the round through the aggregator's observer notifications, as `rounds watch` does;
    // the aggregator's process exiting ends the watch with its log.
    private static async Task<RoundInfo> WatchAsync(LocalFederation federation, int round, TextWriter output, CancellationToken cancellationToken)
    {
        using var aggregatorGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var aggregator = federation.Aggregator;
        _ = aggregator?.WaitForExitAsync(aggregatorGone.Token).ContinueWith(_ => aggregatorGone.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        string? last = null;
        var uploaded = new List<string>();
        try
        {
            return await RoundFollower.FollowAsync(federation.Grains, federation.Admin, round, update =>
            {
                if (update.Upload is { } accepted) uploaded.Add(accepted.ParticipantId);
                var line = update switch
                {
                    { Upload: { } upload } => $"round {round}: open, {upload.Uploads} of {federation.ParticipantIds.Count} uploads ({string.Join(", ", uploaded)})",
                    { Round.State: RoundState.Distilling } => $"round {round}: distilling the student",
                    { Epoch: { } epoch } when epoch.Metrics.Epoch * 10 / epoch.Epochs != (epoch.Metrics.Epoch - 1) * 10 / epoch.Epochs =>
                        $"round {round}: distilling the student, {epoch.Metrics.Epoch * 100 / epoch.Epochs / 10 * 10}% (epoch {epoch.Metrics.Epoch}/{epoch.Epochs})",
                    _ => null,
                };
                if (line is null || line == last) return;
                last = line;
                output.WriteLine(line);
            }, aggregatorGone.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && aggregator is { HasExited: true })
        {
            throw new InvalidOperationException($"The aggregator exited with code {aggregator.ExitCode}.\n{aggregator.Tail()}");
        }
    }

    private static void WriteTable(TextWriter output, IReadOnlyList<RoundInfo> rounds, IReadOnlyList<string> participants, FederatedDemoOptions options)
    {
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine();
        var header = "round  student  ensemble*  " + string.Join("  ", participants.Select(p => $"{p,10}")) + "   uploaded  downloaded  round time";
        output.WriteLine(header);
        output.WriteLine(new string('-', header.Length));
        foreach (var round in rounds)
        {
            var result = round.Result!;
            var teachers = participants.Select(p =>
            {
                var metrics = result.Teachers.Where(t => t.ParticipantId == p).ToList();
                var accuracy = metrics.Select(t => t.ReportedAccuracy ?? t.ValidationAccuracy).FirstOrDefault(a => a is not null);
                return accuracy is null ? $"{"-",10}" : string.Format(invariant, "{0,10:F4}", accuracy);
            });
            output.WriteLine(string.Format(invariant, "{0,5}  {1,7:F4}  {2,9:F4}  {3}  {4,9}  {5,10}  {6,8:F0} s",
                round.Round, result.StudentAccuracy, result.EnsembleAccuracy, string.Join("  ", teachers), Bytes(result.UploadedBytes), Bytes(result.DownloadedBytes), result.RoundSeconds));
        }

        output.WriteLine(string.Format(invariant, "student and hospital columns: accuracy on {0:N0} Fashion-MNIST test images; ensemble*: on the aggregator's {1:N0} labeled public images.",
            options.TestExamples, Math.Min(1000, options.PublicCount)));
    }

    private static string Bytes(long bytes) => bytes >= 1 << 20
        ? string.Format(CultureInfo.InvariantCulture, "{0:F1} MiB", bytes / 1048576.0)
        : string.Format(CultureInfo.InvariantCulture, "{0:F0} KiB", bytes / 1024.0);

    // A hospital's progress line from its silo's log (its client and teacher grains log
    // "hospital-N: ..."), or null for other lines.
    private static string? ParticipantLine(string line)
    {
        if (!line.StartsWith("[hospital-", StringComparison.Ordinal)) return null;
        var at = line.IndexOf(" hospital-", StringComparison.Ordinal);
        if (at < 0 || !(line.Contains("ClientGrain", StringComparison.Ordinal) || line.Contains("TeacherGrain", StringComparison.Ordinal))) return null;
        return "  " + line[(at + 1)..];
    }

    private static Dictionary<string, string> AggregatorSettings(FederatedDemoOptions options)
    {
        var invariant = CultureInfo.InvariantCulture;
        return new Dictionary<string, string>
        {
            ["FedDistill:Aggregator:FederationName"] = "fashion-mnist-hospitals",
            ["FedDistill:Aggregator:PublicSet:Start"] = "50000",
            ["FedDistill:Aggregator:PublicSet:Count"] = options.PublicCount.ToString(invariant),
            ["FedDistill:Aggregator:PublicSet:AugmentedCopies"] = options.PublicCopies.ToString(invariant),
            ["FedDistill:Aggregator:EvaluationExamples"] = options.TestExamples.ToString(invariant),
            ["FedDistill:Aggregator:ValidationExamples"] = Math.Min(1000, options.PublicCount).ToString(invariant),
            ["FedDistill:Aggregator:Threads"] = options.AggregatorThreads.ToString(invariant),
            ["FedDistill:Aggregator:Seed"] = options.Seed.ToString(invariant),
        }.WithDataDirectory("FedDistill:Aggregator:DataDirectory", options.DataDirectory);
    }

    private static Dictionary<string, string> ParticipantSettings(FederatedDemoOptions options, int index)
    {
        var invariant = CultureInfo.InvariantCulture;
        return new Dictionary<string, string>
        {
            ["FedDistill:Organization:PrivateData:Count"] = options.PrivateCount.ToString(invariant),
            ["FedDistill:Organization:PrivateData:Alpha"] = options.Alpha.ToString(invariant),
            ["FedDistill:Organization:PrivateData:Seed"] = options.Seed.ToString(invariant),
            ["FedDistill:Organization:PrivateData:MinPartSize"] = Math.Min(2000, options.PrivateCount / (options.Participants * 4)).ToString(invariant),
            ["FedDistill:Organization:Teachers:0:Id"] = "cnn",
            ["FedDistill:Organization:Teachers:0:Epochs"] = options.TeacherEpochs.ToString(invariant),
            ["FedDistill:Organization:EvaluationExamples"] = options.TestExamples.ToString(invariant),
            ["FedDistill:Organization:Threads"] = "1",
            ["FedDistill:Organization:Seed"] = (options.Seed + 100).ToString(invariant),
        }.WithDataDirectory("FedDistill:Organization:DataDirectory", options.DataDirectory);
    }

    private static Dictionary<string, string> WithDataDirectory(this Dictionary<string, string> settings, string key, string? directory)
    {
        if (!string.IsNullOrWhiteSpace(directory)) settings[key] = Path.GetFullPath(directory);
        return settings;
    }
}
