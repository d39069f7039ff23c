using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Distillation.Federated;
using FedDistill.Serving.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Client.Compression;

/// <summary>
/// Compresses a published student for serving, as <c>feddistill compress</c> runs it: prunes
/// and fine-tunes it, makes an int8 model (post-training calibration or quantization-aware
/// training), writes the result as a state dict, fp32 and int8 ONNX files, and measures each on
/// the Fashion-MNIST test set.
/// </summary>
/// <remarks>
/// <para><b>Self-distillation.</b> The directory holds only the student, not its teachers, so the
/// uncompressed student is the teacher: its logits on the public examples are computed once,
/// before any change, and every fine-tuning step (after pruning, and quantization-aware training)
/// minimizes the knowledge distillation loss (T = 4, soft term only: the public examples are
/// used without labels) between the compressed student and those logits. The compressed
/// student thus learns to reproduce the published one, not the labels.</para>
/// <para><b>Inputs.</b> Prepared as <see cref="Operator.StudentEvaluation"/> prepares them for
/// <c>feddistill students evaluate</c>: the federation's default public set (training images
/// 50,000 to 59,999) gives the normalization constants, fitted on its raw pixels, and the public
/// examples (the first <see cref="CompressionOptions.PublicCount"/> of it, unlabeled); the test
/// images are normalized with the same constants. Students of <c>feddistill distill</c> were
/// normalized with constants fitted on their own private pool, which for Fashion-MNIST agree to
/// about three decimals.</para>
/// <para>Seeds libtorch's global generator and sets its thread count: run one at a time.</para>
/// </remarks>
public static class StudentCompression
{
    /// <summary>The softening temperature of the self-distillation loss.</summary>
    public const double Temperature = 4.0;

    /// <summary>Examples per fine-tuning step.</summary>
    public const int BatchSize = 64;

    /// <summary>Quantization-aware training's learning rate as a share of <see cref="CompressionOptions.LearningRate"/>: it starts from trained weights and only adapts them to int8 rounding.</summary>
    public const double QatLearningRateShare = 0.1;

    /// <summary>The words the report uses for the teacher of every fine-tuning step.</summary>
    public const string SelfDistillation = "self-distillation: the logits of the uncompressed student on the public examples";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The shape of one Fashion-MNIST example.</summary>
    private static readonly int[] ExampleShape = [1, 28, 28];

    /// <summary>Runs the compression and writes its files.</summary>
    /// <param name="options">What to do; must pass <see cref="CompressionOptions.Validate"/>.</param>
    /// <param name="stages">Receives one human-readable line per stage; may be null.</param>
    /// <param name="cancellationToken">Stops between stages and between training steps.</param>
    /// <returns>The report, also written as <c>report.json</c>.</returns>
    /// <exception cref="ArgumentException">The options do not pass validation.</exception>
    /// <exception cref="InvalidDataException">The student's files are unreadable or do not fit each other or Fashion-MNIST images.</exception>
    /// <exception cref="IOException">The Fashion-MNIST files are missing, or the output cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static CompressionReport Run(CompressionOptions options, IProgress<string>? stages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        var watch = Stopwatch.StartNew();
        torch.set_num_threads(options.Threads);

        // The student first: files that do not fit fail before the data is read.
        var spec = ModelSpecFile.Read(options.StudentModelPath);
        var student = LoadStudent(spec, options.StudentStatePath, ExampleShape);
        try
        {
            var data = PrepareData(options, stages);
            cancellationToken.ThrowIfCancellationRequested();
            // The teacher of every fine-tuning step: the student itself, before any change.
            using var teacherLogits = Predictor.PredictLogits(student, data.Public);
            var source = new CompressionSource(Path.GetFullPath(options.StudentDirectory), spec, student, new FileInfo(options.StudentStatePath).Length, SelfDistillation, Temperature,
                "self-distillation");
            return Compress(source, data, teacherLogits, options, watch, stages, cancellationToken);
        }
        finally
        {
            student.Dispose();
        }
    }

    /// <summary>
    /// Compresses a federation's published student (<c>feddistill students compress</c>): fine-tuned
    /// against the target its round distilled from, on the federation's public set rebuilt here,
    /// so that neither teachers nor private data are needed.
    /// </summary>
    /// <param name="student">The downloaded student and what its round recorded.</param>
    /// <param name="options">What to do; <see cref="CompressionOptions.ValidateSettings"/> must pass (the student directory is not used).</param>
    /// <param name="stages">Receives one human-readable line per stage; may be null.</param>
    /// <param name="cancellationToken">Stops between stages and between training steps.</param>
    /// <returns>The report, also written as <c>report.json</c>.</returns>
    /// <exception cref="ArgumentException">The options do not pass validation.</exception>
    /// <exception cref="InvalidDataException">The student does not fit the federation's model, or the target does not fit the public set.</exception>
    /// <exception cref="IOException">The output cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static CompressionReport RunFederated(FederatedStudent student, CompressionOptions options, IProgress<string>? stages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.ValidateSettings();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems), nameof(options));
        var watch = Stopwatch.StartNew();
        torch.set_num_threads(options.Threads);

        var publicSet = student.PublicSet;
        var classes = publicSet.Examples.ClassCount;
        if (student.Target.Length != (long)publicSet.Examples.Count * classes)
            throw new InvalidDataException($"The distillation target holds {student.Target.Length} values; the public set's {publicSet.Examples.Count} examples × {classes} classes need {publicSet.Examples.Count * classes}.");
        var exampleShape = publicSet.Examples.ExampleShape;
        var module = ModelFactory.Create(student.Spec, exampleShape);
        try
        {
            try
            {
                ModelFiles.LoadSafetensors(module, student.State, $"Student v{student.Version}");
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"Student v{student.Version} does not fit the federation's student model: {error.Message}", error);
            }
            module.eval();

            // The first PublicCount public examples and their rows of the target, in the public set's order.
            var count = Math.Min(options.PublicCount, publicSet.Examples.Count);
            var publicExamples = publicSet.Examples.Subset(Enumerable.Range(0, count).ToArray()).WithoutLabels();
            using var teacherLogits = torch.tensor(student.Target.AsSpan(0, count * classes).ToArray(), new long[] { count, classes }, dtype: ScalarType.Float32);
            var sources = new DataSources(options.DataDirectory);
            var test = sources.EvaluationSet(publicSet, options.TestExamples);
            var normalization = publicSet.Normalization;
            var fittedOn = $"the federation's public set ({publicSet.Fingerprint})";
            stages?.Report(string.Create(Invariant,
                $"Data: {count} of the federation's {publicSet.Examples.Count} public examples with round {student.Version}'s target logits, {test.Count} test images; normalized with mean {normalization.Mean:F4} and standard deviation {normalization.StandardDeviation:F4} of {fittedOn}"));
            var data = new PreparedData(publicExamples, test, new NormalizationSummary(normalization.Mean, normalization.StandardDeviation, fittedOn));
            var teacher = string.Create(Invariant, $"the federation's soft labels: round {student.Version}'s distillation target (the logits its student distilled from) on {count} public examples, temperature {student.Temperature}");
            var source = new CompressionSource($"federation {student.Federation}, student v{student.Version} (SHA-256 {student.Sha256})", student.Spec, module, student.State.LongLength, teacher, student.Temperature,
                "distillation from the federation's target");
            return Compress(source, data, teacherLogits, options, watch, stages, cancellationToken);
        }
        finally
        {
            module.Dispose();
        }
    }

    /// <summary>The student to compress, loaded, and what it is fine-tuned against.</summary>
    private sealed record CompressionSource(string Name, ModelSpec Spec, nn.Module<Tensor, Tensor> Student, long StateDictBytes, string Teacher, double Temperature, string Method);

    // Prunes, quantizes, writes and measures; the caller owns source.Student and teacherLogits.
    private static CompressionReport Compress(CompressionSource source, PreparedData data, Tensor teacherLogits, CompressionOptions options, Stopwatch watch,
        IProgress<string>? stages, CancellationToken cancellationToken)
    {
        var spec = source.Spec;
        var student = source.Student;
        var temperature = source.Temperature;
        nn.Module<Tensor, Tensor>? compressed = null;
        try
        {
            var original = Measure(student, data.Test, source.StateDictBytes, onnxAccuracy: null, onnxBytes: null);
            stages?.Report(string.Create(Invariant,
                $"Student: {spec.Kind} from {source.Name}, {original.Parameters:N0} parameters, test accuracy {original.Accuracy:F4}"));

            var outputSpec = spec;
            IReadOnlyList<PrunedLayer>? layers = null;
            if (options.Prune is { } kind)
            {
                var pruned = StudentPruner.Prune(student,
                    new PruningOptions(kind, options.Sparsity, options.FineTuneEpochs, options.LearningRate, temperature, BatchSize: BatchSize, Seed: options.Seed),
                    data.Public, teacherLogits, cancellationToken: cancellationToken);
                compressed = pruned.Model;
                layers = pruned.Report.Layers;
                if (kind == PruningOptions.Structured) outputSpec = ChannelPruning.PrunedSpec(spec, compressed);
                stages?.Report(DescribePruning(pruned.Report, source.Method));
            }
            else
            {
                compressed = student;
            }
            cancellationToken.ThrowIfCancellationRequested();

            QuantizationCalibration? calibration = null;
            if (options.Int8 == CompressionOptions.PostTrainingQuantization)
            {
                calibration = ActivationCalibrator.Calibrate(compressed, data.Public, new CalibrationOptions(), cancellationToken);
                stages?.Report(string.Create(Invariant, $"Int8: activation ranges of {calibration.Inputs.Count} layers calibrated on {data.Public.Count} public examples (post-training quantization)"));
            }
            else if (options.Int8 == CompressionOptions.QuantizationAwareTraining)
            {
                calibration = TrainQuantizationAware(compressed, data.Public, teacherLogits, options, temperature, source.Method, keepZeros: options.Prune is not null && options.Prune != PruningOptions.Structured,
                    stages, cancellationToken);
            }
            compressed.cpu();
            compressed.eval();

            var directory = Path.GetFullPath(options.OutputDirectory);
            Directory.CreateDirectory(directory);
            var statePath = Path.Combine(directory, CompressionFiles.State);
            ModelFiles.SaveWeights(compressed, statePath);
            ModelSpecFile.Write(outputSpec, Path.Combine(directory, CompressionFiles.Spec));
            var exampleShape = data.Test.ExampleShape.Select(dimension => (long)dimension).ToArray();
            var onnxPath = Path.Combine(directory, CompressionFiles.Onnx);
            OnnxExporter.Export(compressed, exampleShape, onnxPath, OnnxExportOptions.Float32);
            var compressedMeasurement = Measure(compressed, data.Test, new FileInfo(statePath).Length,
                OnnxAccuracy(onnxPath, data.Test, options.Threads), new FileInfo(onnxPath).Length);
            stages?.Report(string.Create(Invariant,
                $"Compressed: {compressedMeasurement.NonzeroParameters:N0} of {compressedMeasurement.Parameters:N0} parameters nonzero, test accuracy {compressedMeasurement.Accuracy:F4} (ONNX Runtime fp32 {compressedMeasurement.OnnxAccuracy:F4})"));

            Int8Measurement? quantized = null;
            if (calibration is not null)
            {
                var int8Path = Path.Combine(directory, CompressionFiles.Int8Onnx);
                OnnxExporter.Export(compressed, exampleShape, int8Path, OnnxExportOptions.Int8(calibration));
                var simulated = SimulatedInt8Model.Accuracy(compressed, calibration, data.Test);
                quantized = new Int8Measurement(options.Int8, simulated, OnnxAccuracy(int8Path, data.Test, options.Threads), new FileInfo(int8Path).Length);
                stages?.Report(string.Create(Invariant,
                    $"Int8 ({options.Int8}): test accuracy {quantized.OnnxAccuracy:F4} in ONNX Runtime, {quantized.SimulatedAccuracy:F4} simulated; {quantized.OnnxBytes:N0} bytes"));
            }

            var report = new CompressionReport(source.Name, directory, outputSpec, options.Prune,
                options.Prunes ? options.Sparsity : null, options.Int8, options.FineTuneEpochs, source.Teacher, data.Public.Count, data.Test.Count,
                data.Normalization, original, compressedMeasurement, quantized, layers, Math.Round(watch.Elapsed.TotalSeconds, 1));
            var reportPath = Path.Combine(directory, CompressionFiles.Report);
            File.WriteAllText(reportPath, JsonSerializer.Serialize(report, CompressionJsonContext.Default.CompressionReport) + Environment.NewLine);
            stages?.Report($"Wrote {string.Join(", ", CompressionOptions.OutputFiles(calibration is not null))} to {directory}");
            return report;
        }
        finally
        {
            if (compressed is not null && !ReferenceEquals(compressed, student)) compressed.Dispose();
        }
    }

    private sealed record PreparedData(Dataset Public, Dataset Test, NormalizationSummary Normalization);

    /// <summary>The public examples and the test set, normalized as <see cref="Operator.StudentEvaluation"/> does.</summary>
    private static PreparedData PrepareData(CompressionOptions options, IProgress<string>? stages)
    {
        var sources = new DataSources(options.DataDirectory);
        // The federation's default public set, without augmented copies: only its normalization
        // and its first images are needed, and augmentation does not change the normalization.
        var publicSet = PublicSet.Load(new PublicSetDefinition(Start: CompressionOptions.PublicStart, Count: CompressionOptions.MaxPublicCount, AugmentedCopies: 0), sources);
        var test = sources.EvaluationSet(publicSet, options.TestExamples);
        var publicExamples = publicSet.Originals.Subset(Enumerable.Range(0, options.PublicCount).ToArray()).WithoutLabels();
        var normalization = publicSet.Normalization;
        var fittedOn = $"the raw pixels of Fashion-MNIST training images {CompressionOptions.PublicStart:N0} to {CompressionOptions.PublicStart + CompressionOptions.MaxPublicCount - 1:N0} (the public set of a federation)";
        stages?.Report(string.Create(Invariant,
            $"Data: {publicExamples.Count} public examples (training images from {CompressionOptions.PublicStart:N0} on, unlabeled), {test.Count} test images; normalized with mean {normalization.Mean:F4} and standard deviation {normalization.StandardDeviation:F4} of {fittedOn}"));
        return new PreparedData(publicExamples, test, new NormalizationSummary(normalization.Mean, normalization.StandardDeviation, fittedOn));
    }

    private static nn.Module<Tensor, Tensor> LoadStudent(ModelSpec spec, string statePath, IReadOnlyList<int> exampleShape)
    {
        var errors = ModelFactory.Validate(spec, exampleShape);
        if (errors.Count > 0)
            throw new InvalidDataException($"The student's {CompressionFiles.Spec} describes no model for Fashion-MNIST images of shape [{string.Join(", ", exampleShape)}]: {string.Join(" ", errors)}");
        var model = ModelFactory.Create(spec, exampleShape);
        try
        {
            ModelFiles.LoadWeights(model, statePath);
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Quantization-aware training by self-distillation; returns the observed ranges. The model's weights are trained in place.</summary>
    private static QuantizationCalibration TrainQuantizationAware(nn.Module<Tensor, Tensor> model, Dataset publicExamples, Tensor teacherLogits, CompressionOptions options,
        double temperature, string method, bool keepZeros, IProgress<string>? stages, CancellationToken cancellationToken)
    {
        // Unstructured pruning's zeros must survive: re-zeroed after every optimizer step.
        using var masks = keepZeros ? PruningMasks.KeepZeros(model) : null;
        using var qat = new QuantizationAwareTraining(model);
        var trainer = new Trainer(new TrainerOptions(Epochs: options.FineTuneEpochs, BatchSize: BatchSize, LearningRate: options.LearningRate * QatLearningRateShare, Seed: options.Seed));
        var summary = trainer.Train(qat, publicExamples, teacherLogits, new KnowledgeDistillationLoss(temperature), null, cancellationToken, afterOptimizerStep: masks is null ? null : masks.Apply);
        var calibration = qat.ToCalibration();
        stages?.Report(string.Create(Invariant,
            $"Int8: quantization-aware training, {summary.Epochs} epochs of {method} on {publicExamples.Count} public examples (final loss {summary.FinalLoss:F4}, {summary.Elapsed.TotalSeconds:F1} s)"));
        return calibration;
    }

    private static string DescribePruning(PruningReport report, string method)
    {
        var fineTuning = report.FineTuning is { } summary
            ? string.Create(Invariant, $", then {summary.Epochs} epochs of {method} (final loss {summary.FinalLoss:F4}, {summary.Elapsed.TotalSeconds:F1} s)")
            : ", not fine-tuned";
        return report.Kind == PruningOptions.Structured
            ? string.Create(Invariant,
                $"Pruned: {report.Kind}, {report.TargetSparsity * 100:0.#}% of the channels and units of each layer removed: {report.ParametersBefore:N0} → {report.ParametersAfter:N0} parameters ({string.Join(", ", report.Layers.Select(layer => $"{layer.Name} [{string.Join("×", layer.ShapeAfter)}]"))}){fineTuning}")
            : string.Create(Invariant,
                $"Pruned: {report.Kind}, {report.PrunableWeightSparsity * 100:0.0}% of the Conv2d and Linear weights zero{fineTuning}");
    }

    private static ModelMeasurement Measure(nn.Module<Tensor, Tensor> model, Dataset test, long stateDictBytes, double? onnxAccuracy, long? onnxBytes)
    {
        var accuracy = Predictor.Accuracy(model, test);
        long parameters = 0, nonzero = 0;
        using (torch.no_grad())
        {
            foreach (var parameter in model.parameters())
            {
                parameters += parameter.numel();
                using var count = parameter.count_nonzero();
                nonzero += count.item<long>();
            }
        }
        return new ModelMeasurement(accuracy, onnxAccuracy, parameters, nonzero, stateDictBytes, onnxBytes);
    }

    /// <summary>The accuracy of the ONNX file at <paramref name="path"/> in ONNX Runtime on the (normalized, labeled) test set.</summary>
    internal static double OnnxAccuracy(string path, Dataset test, int threads)
    {
        const int batch = 500;
        using var student = new OnnxStudent(path, new OnnxStudentOptions { IntraOpThreads = threads });
        var exampleLength = test.FeatureLength;
        var classes = test.ClassCount;
        var shape = test.ExampleShape.Select(dimension => (long)dimension).Prepend(0L).ToArray();
        var correct = 0;
        for (var start = 0; start < test.Count; start += batch)
        {
            var count = Math.Min(batch, test.Count - start);
            shape[0] = count;
            var input = test.Features.Slice(start * exampleLength, count * exampleLength).ToArray();
            var logits = student.Run(input, shape);
            for (var i = 0; i < count; i++)
            {
                var row = logits.AsSpan(i * classes, classes);
                var predicted = 0;
                for (var c = 1; c < classes; c++) if (row[c] > row[predicted]) predicted = c;
                if (predicted == test.Labels![start + i]) correct++;
            }
        }
        return test.Count == 0 ? 0 : (double)correct / test.Count;
    }
}
