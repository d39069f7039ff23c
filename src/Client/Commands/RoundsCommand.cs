using System.CommandLine;
using FedDistill.Client.Operator;
using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill rounds</c> commands: start, list, inspect, watch and cancel rounds.</summary>
/// <remarks>
/// Exit codes: see <see cref="OperatorExitCodes"/> and docs/console.md; <c>rounds watch</c> exits
/// <see cref="OperatorExitCodes.Succeeded"/> when the round completed and
/// <see cref="OperatorExitCodes.Failed"/> when it failed or was cancelled.
/// </remarks>
public static class RoundsCommand
{
    /// <summary>Builds <c>rounds</c> with <c>start</c>, <c>list</c>, <c>status</c>, <c>watch</c> and <c>cancel</c>.</summary>
    public static Command Create() => new("rounds", "The federation's rounds of distillation.")
    {
        Start(), List(), Status(), Watch(), Cancel(),
    };

    private static Command Start()
    {
        var defaults = new RoundSettings();
        var strategy = new Option<string>("--strategy") { Description = "Ensemble strategy over the uploaded teachers.", DefaultValueFactory = _ => defaults.Strategy };
        strategy.AcceptOnlyFromAmong([.. EnsembleStrategyFactory.AllowedNames]);
        var temperature = new Option<double>("--temperature") { Description = "Distillation temperature T > 0.", DefaultValueFactory = _ => defaults.Temperature };
        var quorum = new Option<int>("--quorum") { Description = "Uploads needed (at least 1) for the round to distill at the deadline.", DefaultValueFactory = _ => defaults.Quorum };
        var deadline = new Option<int>("--deadline") { Description = "Seconds (1 to 86400) until uploads close.", DefaultValueFactory = _ => defaults.DeadlineSeconds };
        var studentEpochs = new Option<int>("--student-epochs") { Description = "Student epochs over the public set (1 to 1000).", DefaultValueFactory = _ => defaults.StudentEpochs };
        var learningRate = new Option<double>("--student-learning-rate") { Description = "Student peak learning rate (Adam, cosine schedule).", DefaultValueFactory = _ => defaults.StudentLearningRate };
        var fineTuneEpochs = new Option<int>("--fine-tune-epochs") { Description = "Participants' digest epochs on the previous consensus (0 to 100; 0 = one-shot).", DefaultValueFactory = _ => defaults.FineTuneEpochs };
        var revisitEpochs = new Option<int>("--revisit-epochs") { Description = "Participants' revisit epochs on private data after the digest (0 to 100).", DefaultValueFactory = _ => defaults.RevisitEpochs };
        var dtype = new Option<string>("--dtype") { Description = "Upload dtype of the logits (float16 halves the bytes).", DefaultValueFactory = _ => defaults.LogitsDType };
        dtype.AcceptOnlyFromAmong([.. RoundSettings.AllowedLogitsDTypes]);
        var targetHistory = new Option<double>("--target-history-weight") { Description = "Weight in [0, 1) of the last round's target in the student's (an average over rounds; 0 = this round's ensemble alone).", DefaultValueFactory = _ => defaults.TargetHistoryWeight };
        var noiseSigma = new Option<double>("--noise-sigma") { Description = "pate-gnmax: GNMax noise σ > 0 in votes, added to every vote count (larger is more private).", DefaultValueFactory = _ => defaults.NoiseSigma };
        var threshold = new Option<double>("--threshold") { Description = "pate-gnmax: Confident-GNMax threshold in votes; 0 answers every public example.", DefaultValueFactory = _ => defaults.Threshold };
        var thresholdSigma = new Option<double>("--threshold-sigma") { Description = "pate-gnmax: noise σ₁ > 0 of the threshold check, in votes.", DefaultValueFactory = _ => defaults.ThresholdSigma };
        var secureSummation = new Option<bool>("--secure-summation")
        {
            Description = "Participants upload their teachers' sums masked with pairwise masks (SecAgg), so the aggregator learns only the sum; only strategies that are sums (not median or trimmed-mean).",
            DefaultValueFactory = _ => defaults.SecureSummation,
        };
        return OperatorCommand.Create("start", "Open a round; participants compute logits on the public set and upload them.", "rounds start",
            [strategy, temperature, quorum, deadline, studentEpochs, learningRate, fineTuneEpochs, revisitEpochs, dtype, noiseSigma, threshold, thresholdSigma, targetHistory, secureSummation],
            async (parse, session, cancellationToken) =>
            {
                var settings = defaults with
                {
                    Strategy = parse.GetValue(strategy)!,
                    Temperature = parse.GetValue(temperature),
                    Quorum = parse.GetValue(quorum),
                    DeadlineSeconds = parse.GetValue(deadline),
                    StudentEpochs = parse.GetValue(studentEpochs),
                    StudentLearningRate = parse.GetValue(learningRate),
                    FineTuneEpochs = parse.GetValue(fineTuneEpochs),
                    RevisitEpochs = parse.GetValue(revisitEpochs),
                    LogitsDType = parse.GetValue(dtype)!,
                    TargetHistoryWeight = parse.GetValue(targetHistory),
                    NoiseSigma = parse.GetValue(noiseSigma),
                    Threshold = parse.GetValue(threshold),
                    ThresholdSigma = parse.GetValue(thresholdSigma),
                    SecureSummation = parse.GetValue(secureSummation),
                };
                var problems = settings.Validate();
                if (problems.Count > 0) throw new OperatorUsageException(string.Join(" ", problems.Select(OptionNames)));
                var round = await (await session.AggregatorAsync(cancellationToken)).StartRoundAsync(settings).WaitAsync(cancellationToken);
                session.Write(round, ProtocolJsonContext.Default.RoundInfo, info =>
                    FederationText.Round(info) + Environment.NewLine + $"Follow it with 'feddistill rounds watch {info.Round}'.");
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command List() =>
        OperatorCommand.Create("list", "List every round: state, strategy, uploads, times, student accuracy.", "rounds list", [],
            async (_, session, cancellationToken) =>
            {
                var rounds = (await (await session.AggregatorAsync(cancellationToken)).ListRoundsAsync().WaitAsync(cancellationToken)).ToList();
                session.Write(rounds, ProtocolJsonContext.Default.ListRoundInfo, FederationText.Rounds);
                return OperatorExitCodes.Succeeded;
            });

    private static Command Status()
    {
        var number = OperatorCommand.Number("N", "The round's number.");
        return OperatorCommand.Create("status", "Show one round: state, settings, uploads, and its result once completed.", "rounds status", [number],
            async (parse, session, cancellationToken) =>
            {
                var round = await (await session.AggregatorAsync(cancellationToken)).GetRoundAsync(parse.GetValue(number)).WaitAsync(cancellationToken);
                session.Write(round, ProtocolJsonContext.Default.RoundInfo, FederationText.Round);
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command Watch()
    {
        var number = OperatorCommand.Number("N", "The round's number.");
        return OperatorCommand.Create("watch",
            "Follow a round live until it ends (the aggregator notifies the console of every change): each participant's status, progress and upload, then the student's epochs. Exits 0 if it completed, 1 if it failed or was cancelled.",
            "rounds watch", [number],
            async (parse, session, cancellationToken) =>
            {
                var round = parse.GetValue(number);
                var (grains, aggregator) = await session.ClusterAsync(cancellationToken);
                RoundInfo final;
                if (session.Json)
                {
                    // One JSON object per update, each on its own line, as it arrives.
                    final = await RoundFollower.FollowAsync(grains, aggregator, round,
                        update => session.WriteJson(update, OperatorJsonContext.Default.RoundUpdate), cancellationToken).ConfigureAwait(false);
                }
                else if (LiveRoundView.IsAvailable)
                {
                    final = await LiveRoundView.RunAsync(show =>
                    {
                        RoundSnapshot? snapshot = null;
                        return RoundFollower.FollowAsync(grains, aggregator, round, update =>
                        {
                            snapshot = snapshot?.Apply(update) ?? RoundSnapshot.From(update.Snapshot!);
                            show(snapshot);
                        }, cancellationToken);
                    }).ConfigureAwait(false);
                }
                else
                {
                    RoundSnapshot? snapshot = null;
                    string? last = null;
                    final = await RoundFollower.FollowAsync(grains, aggregator, round, update =>
                    {
                        snapshot = snapshot?.Apply(update) ?? RoundSnapshot.From(update.Snapshot!);
                        // A line only when something worth reporting changed (a repeated report prints nothing).
                        if (snapshot.Line(update) is not { } line || line == last) return;
                        last = line;
                        session.Output.WriteLine(RoundSnapshot.Timed(update.At, line));
                    }, cancellationToken).ConfigureAwait(false);
                }

                if (final.State == RoundState.Completed) return OperatorExitCodes.Succeeded;
                session.Error.WriteLine($"feddistill rounds watch: round {final.Round} {RoundStates.ToName(final.State)}: {final.FailureReason ?? "no reason given"}.");
                return OperatorExitCodes.Failed;
            });
    }

    private static Command Cancel()
    {
        var number = OperatorCommand.Number("N", "The round's number.");
        return OperatorCommand.Create("cancel", "Cancel a round that is open or distilling.", "rounds cancel", [number],
            async (parse, session, cancellationToken) =>
            {
                var round = await (await session.AggregatorAsync(cancellationToken)).CancelRoundAsync(parse.GetValue(number)).WaitAsync(cancellationToken);
                session.Write(round, ProtocolJsonContext.Default.RoundInfo, FederationText.Round);
                return OperatorExitCodes.Succeeded;
            });
    }

    /// <summary>Names the console's option next to the setting a validation message names.</summary>
    private static string OptionNames(string problem) => problem
        .Replace("RoundSettings.Strategy", "--strategy", StringComparison.Ordinal)
        .Replace("RoundSettings.Temperature", "--temperature", StringComparison.Ordinal)
        .Replace("RoundSettings.Quorum", "--quorum", StringComparison.Ordinal)
        .Replace("RoundSettings.DeadlineSeconds", "--deadline", StringComparison.Ordinal)
        .Replace("RoundSettings.StudentEpochs", "--student-epochs", StringComparison.Ordinal)
        .Replace("RoundSettings.StudentLearningRate", "--student-learning-rate", StringComparison.Ordinal)
        .Replace("RoundSettings.FineTuneEpochs", "--fine-tune-epochs", StringComparison.Ordinal)
        .Replace("RoundSettings.TargetHistoryWeight", "--target-history-weight", StringComparison.Ordinal)
        .Replace("RoundSettings.RevisitEpochs", "--revisit-epochs", StringComparison.Ordinal)
        .Replace("RoundSettings.NoiseSigma", "--noise-sigma", StringComparison.Ordinal)
        .Replace("RoundSettings.ThresholdSigma", "--threshold-sigma", StringComparison.Ordinal)
        .Replace("RoundSettings.Threshold", "--threshold", StringComparison.Ordinal)
        .Replace("RoundSettings.LogitsDType", "--dtype", StringComparison.Ordinal)
        .Replace("RoundSettings.SecureSummation", "--secure-summation", StringComparison.Ordinal);
}
