using FedDistill.Distillation.Federated;
using System.Diagnostics;
using System.Globalization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Grains.Protocol;
using TorchSharp;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// What a round's student distillation produced, ready to store: the student, the round's own
/// ensemble (the consensus participants digest), when history was blended in the target the
/// student learned from (the next round blends from it), the per-epoch curve and, for a private (PATE) round, its ε and how many public examples it answered.
/// </summary>
internal sealed record DistilledStudent(byte[] Student, byte[] Consensus, byte[]? Target, double? StudentAccuracy, double? EnsembleAccuracy, double FinalLoss,
    IReadOnlyList<TeacherRoundMetrics> Teachers, double DistillSeconds, IReadOnlyList<StudentEpochMetrics> Epochs,
    double? Epsilon = null, int? AnsweredExamples = null);

/// <summary>
/// A round's student distillation, run start to end on one dedicated thread, off the aggregator
/// grain's turn: libtorch's thread-local state (threads, dispose scopes) stays put, and the grain
/// answers calls while the student trains.
/// </summary>
internal static class StudentRound
{
    /// <summary>Starts the distillation on its own thread.</summary>
    /// <param name="input">What it distills from.</param>
    /// <param name="progress">Called on the distillation's thread after every step with the progress in [0, 1].</param>
    /// <param name="epochDone">Called on the distillation's thread after every epoch with its loss and accuracy; it must return at once.</param>
    /// <param name="cancellationToken">Stops the distillation.</param>
    public static Task<DistilledStudent> Start(StudentRoundInput input, Action<double> progress, Action<StudentEpochMetrics> epochDone, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(input, progress, epochDone, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static DistilledStudent Run(StudentRoundInput input, Action<double> progress, Action<StudentEpochMetrics> epochDone, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var options = input.Options;
        var publicSet = input.PublicSet;
        var classes = publicSet.Examples.ClassCount;
        var round = input.Round;
        var strategyWeights = input.Ensemble.Accumulator.TeacherWeights;
        torch.set_num_threads(options.Threads);
        using var scope = torch.NewDisposeScope();
        var target = input.Ensemble.Accumulator.Finish();
        var consensus = target.cpu().contiguous().data<float>().ToArray();
        var ensemblePredictions = Agreement.ArgMaxRows(consensus, classes);
        float[]? blended = null;
        if (input.PreviousTarget is { } history)
        {
            var weight = input.Settings.TargetHistoryWeight;
            target = target.mul(1 - weight).add(torch.tensor(history, target.shape).to(target.device).mul(weight));
            blended = target.cpu().contiguous().data<float>().ToArray();
        }
        // A private (PATE) release: the student learns from the answered examples only, and nothing
        // about individual teachers is reported, since only the labels are covered by the guarantee.
        var release = (input.Ensemble.Accumulator as IPrivateEnsembleAccumulator)?.Release;
        var trainingSet = publicSet.Examples;
        if (release is not null)
        {
            var answered = release.AnsweredIndices();
            if (answered.Length == 0)
                throw new InvalidOperationException($"The private aggregation answered none of the {release.Labels.Length} public examples; lower RoundSettings.Threshold or its noise.");
            trainingSet = trainingSet.Subset(answered);
            using var rows = torch.tensor(answered.Select(i => (long)i).ToArray());
            target = target.index_select(0, rows.to(target.device));
        }

        torch.manual_seed(unchecked((long)(options.Seed + (ulong)round)));
        using var student = ModelFactory.Create(options.Student, publicSet.Examples.ExampleShape);
        if (input.PreviousStudent is { } previous) ModelWeights.Load(student, previous);
        var distiller = new StudentDistiller(
            new TrainerOptions(Schedule: "cosine", Epochs: input.Settings.StudentEpochs, BatchSize: options.StudentBatchSize, LearningRate: input.Settings.StudentLearningRate,
                Optimizer: "adamw", WeightDecay: 5e-4, Seed: options.Seed + (ulong)round, Device: options.Device),
            new KnowledgeDistillationLoss(input.Settings.Temperature));
        var epochs = new List<StudentEpochMetrics>();
        // The evaluation set, when there is one, is scored after each epoch for the dashboard's
        // per-epoch curve (epochs - 1 passes more than before: the last one is the round's score);
        // without early stopping (the trainer's default) it does not change the training.
        var summary = distiller.Distill(student, trainingSet, target,
            new Progress(report =>
            {
                if (report.EpochCompleted)
                {
                    var metrics = new StudentEpochMetrics(report.Epoch, report.Loss, report.ValidationAccuracy);
                    epochs.Add(metrics);
                    epochDone(metrics);
                }

                progress(((report.Epoch - 1) + ((double)report.Step / report.StepsPerEpoch)) / report.Epochs);
            }), cancellationToken, input.EvaluationSet);
        // The last epoch's score is the trained student's (no early stopping, so no other weights are restored).
        double? studentAccuracy = input.EvaluationSet is not { } evaluation ? null
            : epochs.Count > 0 && epochs[^1].Accuracy is { } last ? last : Predictor.Accuracy(student, evaluation);
        var studentBytes = ModelWeights.Save(student, new Dictionary<string, string>
        {
            ["format"] = "feddistill-student/1",
            ["model"] = options.Student.Kind,
            ["version"] = round.ToString(CultureInfo.InvariantCulture),
        });
        var labels = input.ValidationLabels;
        double? ensembleAccuracy = labels.Length == 0 ? null
            : release is null ? Agreement.Accuracy(ensemblePredictions, labels)
            : AnsweredAccuracy(release.Labels, labels);
        var totalExamples = Math.Max(1, input.Ensemble.Teachers.Sum(t => (double)t.PrivateExamples));
        var teachers = input.Ensemble.Teachers.Select(t => new TeacherRoundMetrics(t.ParticipantId, t.TeacherId, t.ValidationAccuracy,
            Agreement.Between(t.Predictions, ensemblePredictions), t.ReportedAccuracy,
            strategyWeights is not null && strategyWeights.TryGetValue($"{t.ParticipantId}/{t.TeacherId}", out var weight) ? weight : t.PrivateExamples / totalExamples)).ToList();
        return new DistilledStudent(studentBytes, SoftLabelsCodec.EncodeConsensus(round, publicSet.Fingerprint, consensus, classes),
            blended is null ? null : SoftLabelsCodec.EncodeConsensus(round, publicSet.Fingerprint, blended, classes), studentAccuracy, ensembleAccuracy, summary.FinalLoss,
            release is null ? teachers : [], watch.Elapsed.TotalSeconds, Thin(epochs, RoundResult.MaxStudentEpochs),
            release?.DataIndependent.GetPrivacySpent(input.Delta).Epsilon, release?.Answered);
    }

    /// <summary>At most <paramref name="count"/> of <paramref name="epochs"/>, evenly spread, the first and the last kept.</summary>
    internal static IReadOnlyList<StudentEpochMetrics> Thin(IReadOnlyList<StudentEpochMetrics> epochs, int count)
    {
        if (epochs.Count <= count) return epochs;
        return Enumerable.Range(0, count).Select(i => epochs[(int)Math.Round((double)i * (epochs.Count - 1) / (count - 1))]).ToList();
    }

    // The released labels' accuracy on the labeled validation rows they answered (null when none was answered).
    private static double? AnsweredAccuracy(int[] released, int[] labels)
    {
        var answered = Enumerable.Range(0, labels.Length).Where(i => released[i] >= 0).ToList();
        return answered.Count == 0 ? null : answered.Count(i => released[i] == labels[i]) / (double)answered.Count;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

/// <summary>
/// Everything a round's distillation reads; the ensemble is handed over and disposed by its owner
/// afterwards. <see cref="PreviousTarget"/> is the last round's target, blended in with
/// <see cref="RoundSettings.TargetHistoryWeight"/>, or null; <see cref="Delta"/> is the δ a private round's ε is stated at.
/// </summary>
internal sealed record StudentRoundInput(int Round, RoundSettings Settings, AggregatorOptions Options, PublicSet PublicSet, Dataset? EvaluationSet,
    int[] ValidationLabels, RoundEnsemble Ensemble, byte[]? PreviousStudent, float[]? PreviousTarget, double Delta);
