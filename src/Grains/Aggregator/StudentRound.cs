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

/// <summary>What a round's student distillation produced, ready to store.</summary>
internal sealed record DistilledStudent(byte[] Student, byte[] Consensus, double? StudentAccuracy, double? EnsembleAccuracy, double FinalLoss,
    IReadOnlyList<TeacherRoundMetrics> Teachers, double DistillSeconds, double? Epsilon = null, int? AnsweredExamples = null);

/// <summary>
/// A round's student distillation, run start to end on one dedicated thread, off the aggregator
/// grain's turn: libtorch's thread-local state (threads, dispose scopes) stays put, and the grain
/// answers calls while the student trains.
/// </summary>
internal static class StudentRound
{
    /// <summary>Starts the distillation on its own thread.</summary>
    public static Task<DistilledStudent> Start(StudentRoundInput input, Action<double> progress, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(input, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static DistilledStudent Run(StudentRoundInput input, Action<double> progress, CancellationToken cancellationToken)
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
        var summary = distiller.Distill(student, trainingSet, target,
            new Progress(report => progress(((report.Epoch - 1) + ((double)report.Step / report.StepsPerEpoch)) / report.Epochs)), cancellationToken);
        double? studentAccuracy = input.EvaluationSet is { } evaluation ? Predictor.Accuracy(student, evaluation) : null;
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
            studentAccuracy, ensembleAccuracy, summary.FinalLoss, release is null ? teachers : [], watch.Elapsed.TotalSeconds,
            release?.DataIndependent.GetPrivacySpent(input.Delta).Epsilon, release?.Answered);
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

/// <summary>Everything a round's distillation reads; the ensemble is handed over and disposed by its owner afterwards.</summary>
internal sealed record StudentRoundInput(int Round, RoundSettings Settings, AggregatorOptions Options, PublicSet PublicSet, Dataset? EvaluationSet,
    int[] ValidationLabels, RoundEnsemble Ensemble, byte[]? PreviousStudent, double Delta);
