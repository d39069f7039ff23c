using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Protocol;
using TorchSharp;

namespace FedDistill.Grains.Aggregator;

/// <summary>
/// An open round's streaming ensemble: each validated upload is folded in and dropped, so the
/// aggregator's memory holds one [N, C] accumulator and each teacher's arg-max, not the logits of
/// every organization.
/// </summary>
/// <remarks>
/// Folds run in the order they were queued, one at a time, on the thread pool: off the aggregator
/// grain's turn, which meanwhile admits the next uploads (at 50 organizations, folding on the turn
/// was half of the time between the last teacher's logits and the student's training). Only
/// <see cref="DrainAsync"/> makes <see cref="Accumulator"/> and <see cref="Teachers"/> safe to read.
/// </remarks>
internal sealed class RoundEnsemble : IAsyncDisposable
{
    private readonly int[] _validationLabels;

    // The last queued fold; each fold waits for the one before it, and a failed one fails every later one.
    private Task _folds = Task.CompletedTask;

    public RoundEnsemble(RoundSettings settings, int examples, int classes, int[] validationLabels)
    {
        Classes = classes;
        _validationLabels = validationLabels;
        // pate-gnmax draws its noise from the secure generator (no NoiseSeed); the other strategies ignore the noise settings.
        Accumulator = EnsembleStrategyFactory.Create(new EnsembleOptions
        {
            Name = settings.Strategy,
            Temperature = settings.Temperature,
            NoiseSigma = settings.NoiseSigma,
            Threshold = settings.Threshold,
            ThresholdSigma = settings.ThresholdSigma,
        }).Begin(examples, classes);
    }

    public int Classes { get; }

    /// <summary>The accumulator until the student's training takes it.</summary>
    public IEnsembleAccumulator Accumulator { get; }

    /// <summary>Per teacher: its arg-max on every public example (for agreement) and its validation accuracy.</summary>
    public List<TeacherSummary> Teachers { get; } = [];

    /// <summary>
    /// Queues a decoded upload (every check of the codec passed) to be folded in after those queued
    /// before it; returns at once. Called from the grain's turn only.
    /// </summary>
    public void Enqueue(DecodedUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        _folds = _folds.ContinueWith(previous =>
        {
            // An accumulator a fold failed in is in no state to take more: the first failure stands for all.
            previous.GetAwaiter().GetResult();
            Fold(upload);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }

    /// <summary>Completes once every queued upload is folded in; faults with the first fold's failure, if one failed.</summary>
    public Task DrainAsync() => _folds;

    /// <summary>
    /// Takes a secure round's unmasked sum over organizations as the whole ensemble's state; the
    /// aggregator never sees a teacher, so <see cref="Teachers"/> stays empty.
    /// </summary>
    /// <exception cref="ArgumentException">The sum does not fit the strategy's accumulator.</exception>
    public void ImportSums(ReadOnlySpan<double> sums)
    {
        if (Accumulator is not ISummableAccumulator summable)
            throw new InvalidOperationException("This round's strategy cannot be computed from sums.");
        summable.ImportSums(sums);
    }

    /// <summary>Waits for the folds in flight (their outcome no longer matters) and frees the accumulator's tensors.</summary>
    public async ValueTask DisposeAsync()
    {
        await _folds.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Accumulator.Dispose();
    }

    private void Fold(DecodedUpload upload)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var teacher in upload.Teachers)
        {
            var (contribution, predictions, accuracy) = TeacherContributions.Create(upload.ParticipantId, teacher, Classes, _validationLabels);
            Accumulator.Add(contribution);
            Teachers.Add(new TeacherSummary(upload.ParticipantId, teacher.Report.TeacherId, predictions, accuracy, teacher.Report.LocalAccuracy, teacher.Report.PrivateExamples));
        }
    }
}

/// <summary>What the aggregator keeps of one uploaded teacher after folding it into the ensemble.</summary>
internal sealed record TeacherSummary(string ParticipantId, string TeacherId, int[] Predictions, double? ValidationAccuracy, double? ReportedAccuracy, int PrivateExamples);

/// <summary>Arg-max and agreement over row-major logits.</summary>
internal static class Agreement
{
    public static int[] ArgMaxRows(float[] logits, int classes)
    {
        var rows = logits.Length / classes;
        var predictions = new int[rows];
        for (var row = 0; row < rows; row++)
        {
            var span = logits.AsSpan(row * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (span[c] > span[best]) best = c;
            predictions[row] = best;
        }

        return predictions;
    }

    /// <summary>Fraction of the first <c>labels.Length</c> predictions that equal the labels.</summary>
    public static double Accuracy(int[] predictions, int[] labels)
    {
        var correct = 0;
        for (var i = 0; i < labels.Length; i++) if (predictions[i] == labels[i]) correct++;
        return (double)correct / labels.Length;
    }

    /// <summary>Fraction of rows where two arg-max arrays agree.</summary>
    public static double Between(int[] a, int[] b)
    {
        var same = 0;
        for (var i = 0; i < a.Length; i++) if (a[i] == b[i]) same++;
        return (double)same / a.Length;
    }
}
