using System.Diagnostics;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Evaluation;

/// <summary>
/// Evaluates a classifier on a labeled test set: accuracy, top-k accuracy, per-class accuracy,
/// confusion matrix, calibration, agreement with the teacher ensemble, size and speed, and how
/// it compares with teachers. The report is an <see cref="EvaluationReport"/>.
/// </summary>
/// <remarks>
/// Every quality metric comes from the logits alone (<see cref="FromLogits"/>), computed in double
/// precision on the host; <see cref="Evaluate"/> obtains them with <see cref="Predictor"/> and
/// adds what needs the module (parameters, size, speed). Not thread-safe with respect to the
/// module: it switches it to evaluation mode and back.
/// </remarks>
public sealed class ModelEvaluator
{
    /// <summary>Creates an evaluator; null options mean the defaults (timing on).</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names each one.</exception>
    public ModelEvaluator(EvaluationOptions? options = null)
    {
        Options = options ?? new EvaluationOptions();
        var errors = Options.Validate();
        if (errors.Count > 0) throw new ArgumentException($"Invalid evaluation options: {string.Join(" ", errors)}", nameof(options));
    }

    /// <summary>The settings in use.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Evaluates <paramref name="model"/> on <paramref name="testSet"/>.</summary>
    /// <param name="name">The model's name in the report.</param>
    /// <param name="model">Any classifier mapping a batch of examples to [B, C] logits; its training mode is restored afterwards.</param>
    /// <param name="testSet">A labeled data set whose class count is the logits' width; its class names, if any, label the per-class rows.</param>
    /// <param name="ensembleLogits">The teacher ensemble's [N, C] logits on the same examples in the same order, or null; not disposed.</param>
    /// <param name="teachers">Teacher reports to compare against (see <see cref="Compare"/>), or null.</param>
    /// <exception cref="ArgumentException">The test set is unlabeled or empty, or shapes disagree.</exception>
    public EvaluationReport Evaluate(string name, nn.Module<Tensor, Tensor> model, Dataset testSet, Tensor? ensembleLogits = null, IReadOnlyList<EvaluationReport>? teachers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(testSet);
        if (!testSet.HasLabels) throw new ArgumentException("Evaluation needs a labeled test set.", nameof(testSet));
        if (testSet.Count == 0) throw new ArgumentException("The test set is empty.", nameof(testSet));

        EvaluationReport report;
        using (var logits = Predictor.PredictLogits(model, testSet, Options.BatchSize))
        {
            if (logits.size(1) != testSet.ClassCount)
                throw new ArgumentException($"The model gives {logits.size(1)} logits per example but the test set has {testSet.ClassCount} classes.", nameof(model));
            report = FromLogits(name, logits, testSet.Labels, testSet.ClassNames, ensembleLogits);
        }
        report = report with
        {
            ParameterCount = model.ParameterCount(),
            SizeOnDiskBytes = Options.MeasureSize ? SizeOnDisk(model) : null,
            Speed = Options.MeasureSpeed ? MeasureSpeed(model, testSet) : null,
        };
        return teachers is null ? report : report with { Comparisons = Compare(report, teachers) };
    }

    /// <summary>
    /// The quality metrics of logits against labels, without a module: parameter count, size and
    /// speed are left null and there are no comparisons.
    /// </summary>
    /// <param name="name">The model's name in the report.</param>
    /// <param name="logits">[N, C] logits of any floating dtype and device; not disposed.</param>
    /// <param name="labels">N labels in [0, C).</param>
    /// <param name="classNames">C class names, or null.</param>
    /// <param name="ensembleLogits">The teacher ensemble's [N, C] logits, or null; not disposed.</param>
    /// <exception cref="ArgumentException">Shapes, labels or names disagree, or there are no examples.</exception>
    public EvaluationReport FromLogits(string name, Tensor logits, IReadOnlyList<int> labels, IReadOnlyList<string>? classNames = null, Tensor? ensembleLogits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var (values, count, classes) = ReadMatrix(logits, nameof(logits));
        if (count == 0) throw new ArgumentException("There are no examples to evaluate.", nameof(logits));
        if (labels.Count != count) throw new ArgumentException($"There are {labels.Count} labels for {count} rows of logits.", nameof(labels));
        for (var i = 0; i < count; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentException($"Label {labels[i]} of example {i} is outside [0, {classes}).", nameof(labels));
        }
        if (classNames is not null && classNames.Count != classes)
            throw new ArgumentException($"There are {classNames.Count} class names for {classes} classes.", nameof(classNames));

        var topK = Math.Min(Options.TopK, classes);
        var confusion = new int[classes][];
        for (var c = 0; c < classes; c++) confusion[c] = new int[classes];
        var binCounts = new int[Options.CalibrationBins];
        var binConfidence = new double[Options.CalibrationBins];
        var binCorrect = new int[Options.CalibrationBins];
        int correct = 0, topKCorrect = 0;
        var logProbabilities = new double[classes];
        for (var i = 0; i < count; i++)
        {
            var row = values.AsSpan(i * classes, classes);
            var label = labels[i];
            var predicted = ArgMax(row);
            confusion[label][predicted]++;
            var isCorrect = predicted == label;
            if (isCorrect) correct++;
            if (CountStrictlyAbove(row, row[label]) < topK) topKCorrect++;

            LogSoftmax(row, logProbabilities);
            var confidence = Math.Exp(logProbabilities[predicted]);
            var bin = Math.Clamp((int)Math.Ceiling(confidence * Options.CalibrationBins) - 1, 0, Options.CalibrationBins - 1);
            binCounts[bin]++;
            binConfidence[bin] += confidence;
            if (isCorrect) binCorrect[bin]++;
        }

        var bins = new CalibrationBin[Options.CalibrationBins];
        var calibrationError = 0.0;
        for (var b = 0; b < bins.Length; b++)
        {
            var lower = (double)b / bins.Length;
            var upper = (double)(b + 1) / bins.Length;
            if (binCounts[b] == 0)
            {
                bins[b] = new CalibrationBin(lower, upper, 0, null, null);
                continue;
            }
            var meanConfidence = binConfidence[b] / binCounts[b];
            var accuracy = (double)binCorrect[b] / binCounts[b];
            bins[b] = new CalibrationBin(lower, upper, binCounts[b], meanConfidence, accuracy);
            calibrationError += (double)binCounts[b] / count * Math.Abs(accuracy - meanConfidence);
        }

        var perClass = new ClassAccuracy[classes];
        for (var c = 0; c < classes; c++)
        {
            var support = confusion[c].Sum();
            var hits = confusion[c][c];
            perClass[c] = new ClassAccuracy(c, classNames?[c], support, hits, support == 0 ? null : (double)hits / support);
        }

        return new EvaluationReport
        {
            Name = name,
            ExampleCount = count,
            ClassCount = classes,
            Accuracy = (double)correct / count,
            TopK = topK,
            TopKAccuracy = (double)topKCorrect / count,
            PerClass = perClass,
            ConfusionMatrix = confusion,
            ExpectedCalibrationError = calibrationError,
            CalibrationBins = bins,
            EnsembleAgreement = ensembleLogits is null ? null : Agreement(values, count, classes, ensembleLogits),
        };
    }

    /// <summary>
    /// <paramref name="model"/> against each teacher: compression (teacher / model parameters),
    /// latency speed-up (teacher / model latency), throughput ratio (model / teacher throughput)
    /// and accuracy difference (model − teacher). A ratio whose inputs are missing is null.
    /// </summary>
    public static IReadOnlyList<TeacherComparison> Compare(EvaluationReport model, IReadOnlyList<EvaluationReport> teachers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(teachers);
        return teachers.Select(teacher => new TeacherComparison(
            teacher.Name,
            Ratio(teacher.ParameterCount, model.ParameterCount),
            Ratio(teacher.Speed?.LatencyMilliseconds, model.Speed?.LatencyMilliseconds),
            Ratio(model.Speed?.ThroughputSamplesPerSecond, teacher.Speed?.ThroughputSamplesPerSecond),
            model.Accuracy - teacher.Accuracy)).ToArray();
    }

    /// <summary>
    /// The exact size in bytes of <paramref name="model"/>'s state dict (parameters and buffers)
    /// saved as safetensors (TorchSharp.PyBridge, the format students are published in): the same
    /// bytes are produced, counted and discarded, so nothing touches the disk.
    /// </summary>
    public static long SizeOnDisk(nn.Module<Tensor, Tensor> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var counter = new ByteCountingStream();
        model.save_safetensors(counter, leaveOpen: true);
        return counter.Length;
    }

    /// <summary>
    /// Times <paramref name="model"/> in evaluation mode without autograd on the device of its
    /// parameters: the median of <see cref="EvaluationOptions.LatencyRuns"/> single-example passes,
    /// and examples per second from the median of <see cref="EvaluationOptions.ThroughputRuns"/>
    /// passes of <see cref="EvaluationOptions.ThroughputBatchSize"/> examples taken from
    /// <paramref name="data"/> (repeated when it is smaller). Each pass ends by copying its output
    /// to the host, so asynchronous devices are timed to completion.
    /// </summary>
    public SpeedMeasurement MeasureSpeed(nn.Module<Tensor, Tensor> model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("Timing needs at least one example.", nameof(data));
        var device = Predictor.ModelDevice(model);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var inference = torch.inference_mode();
            using var scope = torch.NewDisposeScope();
            var assembler = new BatchAssembler(data);
            var (single, _) = assembler.Assemble([0], device);
            var latency = MedianSeconds(model, single, Options.LatencyRuns);
            var indices = Enumerable.Range(0, Options.ThroughputBatchSize).Select(i => i % data.Count).ToArray();
            var (batch, _) = assembler.Assemble(indices, device);
            var batchTime = MedianSeconds(model, batch, Options.ThroughputRuns);
            return new SpeedMeasurement(
                latency * 1000.0,
                Options.ThroughputBatchSize / batchTime,
                Options.LatencyRuns,
                Options.ThroughputBatchSize,
                device.ToString(),
                torch.get_num_threads());
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private double MedianSeconds(nn.Module<Tensor, Tensor> model, Tensor input, int runs)
    {
        for (var i = 0; i < Options.WarmupRuns; i++) RunOnce(model, input);
        var seconds = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            RunOnce(model, input);
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(seconds);
        var middle = runs / 2;
        var median = runs % 2 == 1 ? seconds[middle] : (seconds[middle - 1] + seconds[middle]) / 2;
        // A clock tick is the finest resolution there is; a zero would make the throughput infinite.
        return Math.Max(median, 1.0 / Stopwatch.Frequency);
    }

    private static void RunOnce(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var output = model.forward(input);
        // Reading the result back waits for the device, so the time covers the whole pass.
        _ = output.cpu().data<float>()[0];
    }

    private static EnsembleAgreement Agreement(float[] model, int count, int classes, Tensor ensembleLogits)
    {
        var (ensemble, ensembleCount, ensembleClasses) = ReadMatrix(ensembleLogits, nameof(ensembleLogits));
        if (ensembleCount != count || ensembleClasses != classes)
            throw new ArgumentException($"The ensemble logits are [{ensembleCount}, {ensembleClasses}] but the model's are [{count}, {classes}].", nameof(ensembleLogits));
        var agreements = 0;
        var totalKl = 0.0;
        var modelLog = new double[classes];
        var ensembleLog = new double[classes];
        for (var i = 0; i < count; i++)
        {
            var modelRow = model.AsSpan(i * classes, classes);
            var ensembleRow = ensemble.AsSpan(i * classes, classes);
            if (ArgMax(modelRow) == ArgMax(ensembleRow)) agreements++;
            LogSoftmax(modelRow, modelLog);
            LogSoftmax(ensembleRow, ensembleLog);
            var kl = 0.0;
            for (var c = 0; c < classes; c++)
            {
                var p = Math.Exp(ensembleLog[c]);
                // 0 · log 0 = 0: a class the ensemble rules out contributes nothing.
                if (p > 0) kl += p * (ensembleLog[c] - modelLog[c]);
            }
            totalKl += kl;
        }
        return new EnsembleAgreement((double)agreements / count, totalKl / count);
    }

    private static (float[] Values, int Count, int Classes) ReadMatrix(Tensor matrix, string parameterName)
    {
        var shape = matrix.shape;
        if (shape.Length != 2 || shape[1] < 1)
            throw new ArgumentException($"Logits must be [N, C] with C ≥ 1; got [{string.Join(", ", shape)}].", parameterName);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var host = matrix.detach().to(ScalarType.Float32, torch.CPU).contiguous();
        return (host.data<float>().ToArray(), checked((int)shape[0]), checked((int)shape[1]));
    }

    /// <summary>The first index of the largest value, as <c>torch.argmax</c> on the CPU.</summary>
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    private static int CountStrictlyAbove(ReadOnlySpan<float> row, float value)
    {
        var above = 0;
        foreach (var x in row) if (x > value) above++;
        return above;
    }

    private static void LogSoftmax(ReadOnlySpan<float> row, Span<double> result)
    {
        double max = row[ArgMax(row)];
        var sum = 0.0;
        foreach (var x in row) sum += Math.Exp(x - max);
        var logSum = max + Math.Log(sum);
        for (var c = 0; c < row.Length; c++) result[c] = row[c] - logSum;
    }

    private static double? Ratio(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 ? n / d : null;

    private static double? Ratio(long? numerator, long? denominator) => Ratio((double?)numerator, (double?)denominator);
}
