using System.Diagnostics;
using System.Globalization;
using System.Text;
using FedDistill.Client.Compression;
using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Serving.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Bench;

/// <summary>
/// <c>./run bench compress</c>: the compression results of docs/benchmarks.md for the small-CNN
/// student on Fashion-MNIST, in one run. A wide small-CNN teacher (32-64-256) is trained on the
/// labels of training images 0 to 49,999; the small-CNN student (16-32-128) is distilled from it
/// on the same images; then the student is compressed by <see cref="StudentCompression"/>, the
/// code behind <c>feddistill compress</c> (self-distillation on the 10,000 unlabeled public
/// images 50,000 to 59,999), into each variant: fp32, structured and unstructured pruning at
/// 50% and 80% (each fine-tuned), int8 by calibration (PTQ) and by quantization-aware training
/// (QAT), and structured 50% with PTQ. Each ONNX file is measured in ONNX Runtime with one
/// intra-op thread: test accuracy on the 10,000 test images, file size, batch-1 latency (median)
/// and batch-256 throughput.
/// </summary>
/// <remarks>
/// One teacher rather than an ensemble keeps the run short; the compression steps see only the
/// published student and the public images either way. Everything is normalized with the
/// constants fitted on the public images, as <c>feddistill compress</c> normalizes.
/// </remarks>
public static class CompressionRun
{
    /// <summary>The heading of the section this run writes into its output file.</summary>
    public const string Heading = "## Compression: pruned and int8 students in ONNX Runtime";

    public const string Usage = """
        Usage: ./run bench compress [options]

        Trains a wide small-CNN teacher and distills a small-CNN student on Fashion-MNIST, compresses
        the student as `feddistill compress` does (fp32; structured and unstructured pruning at 50% and
        80%, each fine-tuned by self-distillation; int8 PTQ; int8 QAT; structured 50% + PTQ) and measures
        every variant in ONNX Runtime with 1 intra-op thread: test accuracy (10,000 images), parameters,
        ONNX file bytes, batch-1 latency and batch-256 throughput. Writes a section of docs/benchmarks.md.

          --teacher-epochs N     epochs of the teacher (default 3)
          --student-epochs N     epochs of the student's distillation (default 4)
          --fine-tune-epochs N   epochs of self-distillation after pruning and of QAT (default 4;
                                 feddistill compress defaults to 2)
          --latency-runs N       timed batch-1 runs per model, for the median (default 200)
          --seconds S            timed seconds of batch-256 runs per model and round (default 1)
          --rounds R             measurement rounds, each taking every model in turn (default 3)
          --threads N            libtorch threads for training (default: one per core); ONNX Runtime uses 1
          --seed N               seed (default 1)
          --work-dir DIR         where the student and the compressed variants are written
                                 (default artifacts/compression, relative to the repository root)
          --output FILE          markdown file whose compression section is rewritten
                                 (default docs/benchmarks.md, relative to the repository root)
          --no-output            print only
          -h, --help             this text
        """;

    private const string StudentRow = "student (small CNN 16-32-128)";
    private const string PtqRow = "student, int8 PTQ";
    private const string QatRow = "student, int8 QAT";
    private const string Structured50Row = "structured 50%";
    private const int LatencyBatch = 1;
    private const int ThroughputBatch = 256;
    private const int PublicStart = CompressionOptions.PublicStart;
    private const int PublicCount = CompressionOptions.MaxPublicCount;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public sealed record Settings(int TeacherEpochs = 3, int StudentEpochs = 4, int FineTuneEpochs = 4, int LatencyRuns = 200, double Seconds = 1, int Rounds = 3,
        int Threads = 0, ulong Seed = 1, string WorkDirectory = "artifacts/compression", string? Output = "docs/benchmarks.md");

    /// <summary>One ONNX file to measure, and how ONNX Runtime runs it.</summary>
    public sealed record Candidate(string Name, string Precision, string Path, long Parameters, long NonzeroParameters, bool Sparse, bool ExactInt8Kernels = true);

    /// <summary>One measured model: a row of the table.</summary>
    public sealed record Row(Candidate Model, double Accuracy, long OnnxBytes, double LatencyMilliseconds, double Throughput)
    {
        public string Name => Model.Name;
    }

    /// <summary>Runs the compression benchmark; <paramref name="root"/> is the repository root the paths are relative to.</summary>
    /// <exception cref="BenchUsageException">The command line is invalid.</exception>
    public static int Run(string[] args, string root)
    {
        var settings = Parse(args);
        var total = Stopwatch.StartNew();
        var workDirectory = Path.GetFullPath(Path.Combine(root, settings.WorkDirectory));
        var threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var log = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            log.AppendLine(line);
        }

        // Normalized as feddistill compress normalizes: constants of the raw public images.
        var train = FashionMnist.LoadTrain();
        var normalization = GlobalNormalization.Fit(train.Subset(Enumerable.Range(PublicStart, PublicCount).ToArray()));
        var labeled = normalization.Apply(train.Subset(Enumerable.Range(0, PublicStart).ToArray()));
        var test = normalization.Apply(FashionMnist.LoadTest());
        Say(string.Create(Invariant, $"data: {labeled.Count} labeled training images for teacher and student, {PublicCount} public images ({PublicStart}+) for compression, {test.Count} test images; mean {normalization.Mean:F4}, sd {normalization.StandardDeviation:F4}"));

        var teacherSpec = new ModelSpec { Kind = "small-cnn", Channels = [32, 64, 256], Dropout = 0.25 };
        var studentSpec = new ModelSpec { Kind = "small-cnn" };
        var studentDirectory = Path.Combine(workDirectory, "student");
        Directory.CreateDirectory(studentDirectory);
        var candidates = new List<Candidate>();

        var watch = Stopwatch.StartNew();
        torch.manual_seed(unchecked((long)settings.Seed));
        using var teacher = ModelFactory.Create(teacherSpec, [1, 28, 28]);
        new Trainer(new TrainerOptions(Epochs: settings.TeacherEpochs, BatchSize: 128, LearningRate: 2e-3, Optimizer: "adamw", WeightDecay: 5e-4, Schedule: "cosine",
            Seed: settings.Seed)).Train(teacher, labeled, null, new CrossEntropyLoss(labelSmoothing: 0.05));
        teacher.cpu();
        var teacherOnnx = Path.Combine(workDirectory, "teacher.onnx");
        OnnxExporter.Export(teacher, [1, 28, 28], teacherOnnx, OnnxExportOptions.Float32);
        var teacherParameters = teacher.parameters().Sum(parameter => parameter.numel());
        candidates.Add(new Candidate("teacher (small CNN 32-64-256)", "fp32", teacherOnnx, teacherParameters, teacherParameters, Sparse: false));
        Say(string.Create(Invariant, $"teacher: {teacherParameters:N0} parameters, test accuracy {Predictor.Accuracy(teacher, test):F4} ({watch.Elapsed.TotalSeconds:F0} s)"));

        watch.Restart();
        using (var teacherLogits = Predictor.PredictLogits(teacher, labeled))
        {
            torch.manual_seed(unchecked((long)settings.Seed + 1));
            using var student = ModelFactory.Create(studentSpec, [1, 28, 28]);
            new Trainer(new TrainerOptions(Epochs: settings.StudentEpochs, BatchSize: 128, LearningRate: 2e-3, Schedule: "cosine", Seed: settings.Seed + 1))
                .Train(student, labeled, teacherLogits, new KnowledgeDistillationLoss(4.0, 0.9));
            student.cpu();
            ModelFiles.SaveWeights(student, Path.Combine(studentDirectory, CompressionFiles.State));
            ModelSpecFile.Write(studentSpec, Path.Combine(studentDirectory, CompressionFiles.Spec));
            Say(string.Create(Invariant, $"student: small CNN 16-32-128 distilled from the teacher (KD, T = 4, α = 0.9), test accuracy {Predictor.Accuracy(student, test):F4} ({watch.Elapsed.TotalSeconds:F0} s)"));
        }

        // Each variant is one run of the code behind feddistill compress.
        CompressionReport Compress(string name, string? prune, double sparsity, string int8)
        {
            var stopwatch = Stopwatch.StartNew();
            var options = new CompressionOptions(studentDirectory, Path.Combine(workDirectory, name))
            {
                Prune = prune,
                Sparsity = sparsity,
                Int8 = int8,
                FineTuneEpochs = settings.FineTuneEpochs,
                Seed = settings.Seed,
                Threads = threads,
                Force = true,
            };
            var report = StudentCompression.Run(options);
            torch.set_num_threads(threads);
            var int8Text = report.Quantized is { } q ? string.Create(Invariant, $", int8 {q.OnnxAccuracy:F4} (simulated {q.SimulatedAccuracy:F4})") : "";
            Say(string.Create(Invariant,
                $"{name}: fp32 {report.Compressed.Accuracy:F4} (ONNX {report.Compressed.OnnxAccuracy:F4}), {report.Compressed.NonzeroParameters:N0}/{report.Compressed.Parameters:N0} nonzero{int8Text} ({stopwatch.Elapsed.TotalSeconds:F0} s)"));
            return report;
        }

        Candidate Fp32(string label, CompressionReport report, bool sparse) =>
            new(label, "fp32", Path.Combine(report.Output, CompressionFiles.Onnx), report.Compressed.Parameters, report.Compressed.NonzeroParameters, sparse);
        Candidate Int8(string label, CompressionReport report, bool exactKernels = true) =>
            new(label, exactKernels ? "int8" : "int8, fast kernels", Path.Combine(report.Output, CompressionFiles.Int8Onnx), report.Compressed.Parameters,
                report.Compressed.NonzeroParameters, Sparse: false, exactKernels);

        var ptq = Compress("ptq", null, 0, CompressionOptions.PostTrainingQuantization);
        candidates.Add(Fp32(StudentRow, ptq, sparse: false));
        candidates.Add(Int8(PtqRow, ptq));
        candidates.Add(Int8(PtqRow + " (fast kernels)", ptq, exactKernels: false));
        var qat = Compress("qat", null, 0, CompressionOptions.QuantizationAwareTraining);
        candidates.Add(Int8(QatRow, qat));
        var structured50 = Compress("structured-50", PruningOptions.Structured, 0.5, CompressionOptions.PostTrainingQuantization);
        candidates.Add(Fp32(Structured50Row, structured50, sparse: false));
        candidates.Add(Int8("structured 50% + int8 PTQ", structured50));
        candidates.Add(Fp32("structured 80%", Compress("structured-80", PruningOptions.Structured, 0.8, CompressionOptions.NoInt8), sparse: false));
        candidates.Add(Fp32("unstructured 50% (global)", Compress("unstructured-50", PruningOptions.UnstructuredGlobal, 0.5, CompressionOptions.NoInt8), sparse: true));
        candidates.Add(Fp32("unstructured 80% (global)", Compress("unstructured-80", PruningOptions.UnstructuredGlobal, 0.8, CompressionOptions.NoInt8), sparse: true));

        watch.Restart();
        var rows = Measure(candidates, test, settings);
        Say(string.Create(Invariant, $"measured {rows.Count} ONNX files in ONNX Runtime, 1 intra-op thread, {settings.Rounds} alternating rounds ({watch.Elapsed.TotalSeconds:F0} s)"));
        foreach (var row in rows)
            Say(string.Create(Invariant,
                $"result: {row.Name} | {row.Model.Precision} | accuracy {row.Accuracy:F4} | {(row.Model.Sparse ? row.Model.NonzeroParameters : row.Model.Parameters):N0} parameters | {row.OnnxBytes:N0} bytes | batch-1 {row.LatencyMilliseconds:F3} ms | batch-256 {row.Throughput:F0} samples/s"));
        var targets = Targets(rows);
        foreach (var target in targets) Say(target.ToString());

        if (settings.Output is { } output)
        {
            var path = Path.Combine(root, output);
            MarkdownSection.Write(path, Heading, Section(settings, rows, targets, total.Elapsed, log.ToString()));
            Console.Error.WriteLine($"wrote {path}");
        }
        return 0;
    }

    /// <summary>
    /// Accuracy, size and speed of each ONNX file in ONNX Runtime with one intra-op thread. Speed
    /// is measured in <see cref="Settings.Rounds"/> rounds that take every file in turn, so a busy
    /// spell of the machine hits all of them; each figure is the median over the rounds.
    /// </summary>
    private static List<Row> Measure(IReadOnlyList<Candidate> candidates, Dataset test, Settings settings)
    {
        var sessions = candidates.Select(candidate =>
            new OnnxStudent(candidate.Path, new OnnxStudentOptions { IntraOpThreads = 1, ExactInt8Kernels = candidate.ExactInt8Kernels })).ToArray();
        try
        {
            var accuracies = sessions.Select(session => Accuracy(session, test)).ToArray();
            var latencies = candidates.Select(_ => new List<double>()).ToArray();
            var throughputs = candidates.Select(_ => new List<double>()).ToArray();
            for (var round = 0; round < settings.Rounds; round++)
            {
                for (var i = 0; i < sessions.Length; i++)
                {
                    latencies[i].Add(Latency(sessions[i], test, settings.LatencyRuns));
                    throughputs[i].Add(Throughput(sessions[i], test, settings.Seconds));
                }
            }
            return candidates.Select((candidate, i) =>
                new Row(candidate, accuracies[i], new FileInfo(candidate.Path).Length, Statistics.Median(latencies[i]), Statistics.Median(throughputs[i]))).ToList();
        }
        finally
        {
            foreach (var session in sessions) session.Dispose();
        }
    }

    private static long[] BatchShape(Dataset test, int batch) => test.ExampleShape.Select(dimension => (long)dimension).Prepend(batch).ToArray();

    private static float[] Batch(Dataset test, int start, int count) =>
        test.Features.Slice(start * test.FeatureLength, count * test.FeatureLength).ToArray();

    private static double Accuracy(OnnxStudent session, Dataset test)
    {
        var correct = 0;
        for (var start = 0; start < test.Count; start += ThroughputBatch)
        {
            var count = Math.Min(ThroughputBatch, test.Count - start);
            var logits = session.Run(Batch(test, start, count), BatchShape(test, count));
            var classes = logits.Length / count;
            for (var i = 0; i < count; i++)
            {
                var row = logits.AsSpan(i * classes, classes);
                var predicted = 0;
                for (var c = 1; c < classes; c++) if (row[c] > row[predicted]) predicted = c;
                if (predicted == test.Labels![start + i]) correct++;
            }
        }
        return (double)correct / test.Count;
    }

    /// <summary>The median time of one batch-1 run over <paramref name="runs"/> single test images, after a warm-up, in milliseconds.</summary>
    private static double Latency(OnnxStudent session, Dataset test, int runs)
    {
        var singles = Enumerable.Range(0, Math.Min(runs, test.Count)).Select(i => Batch(test, i, LatencyBatch)).ToArray();
        var shape = BatchShape(test, LatencyBatch);
        for (var i = 0; i < 20; i++) session.Run(singles[i % singles.Length], shape);
        var times = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            session.Run(singles[i % singles.Length], shape);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return Statistics.Median(times);
    }

    /// <summary>Samples per second at batch 256 over at least <paramref name="seconds"/> (and 5 runs), after a warm-up.</summary>
    private static double Throughput(OnnxStudent session, Dataset test, double seconds)
    {
        var batch = Batch(test, 0, ThroughputBatch);
        var shape = BatchShape(test, ThroughputBatch);
        for (var i = 0; i < 2; i++) session.Run(batch, shape);
        var watch = Stopwatch.StartNew();
        var runs = 0;
        while (runs < 5 || watch.Elapsed.TotalSeconds < seconds)
        {
            session.Run(batch, shape);
            runs++;
        }
        return runs * ThroughputBatch / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The targets of the compression work, each with what was measured and whether it is met.</summary>
    private static List<BenchTarget> Targets(IReadOnlyList<Row> rows)
    {
        var fp32 = rows.Single(row => row.Name == StudentRow);
        var targets = new List<BenchTarget>();
        foreach (var (int8, method) in new[] { (rows.Single(row => row.Name == PtqRow), "PTQ"), (rows.Single(row => row.Name == QatRow), "QAT") })
        {
            var drop = 100 * (fp32.Accuracy - int8.Accuracy);
            var smaller = (double)fp32.OnnxBytes / int8.OnnxBytes;
            var faster = fp32.LatencyMilliseconds / int8.LatencyMilliseconds;
            // Shown as accuracy minus fp32, the sign of the table's Δ column.
            targets.Add(new BenchTarget($"int8 {method} at most 1 point below fp32", string.Create(Invariant, $"{-drop:+0.00;-0.00;0.00} points"), drop <= 1));
            targets.Add(new BenchTarget($"int8 {method} file at least 3.5× smaller", string.Create(Invariant, $"{smaller:F2}×"), smaller >= 3.5));
            targets.Add(new BenchTarget($"int8 {method} batch-1 at least 1.5× faster", string.Create(Invariant, $"{faster:F2}×"), faster >= 1.5));
        }
        var structured = rows.Single(row => row.Name == Structured50Row);
        var structuredDrop = 100 * (fp32.Accuracy - structured.Accuracy);
        var latencySpeedup = fp32.LatencyMilliseconds / structured.LatencyMilliseconds;
        var throughputSpeedup = structured.Throughput / fp32.Throughput;
        targets.Add(new BenchTarget("structured 50% at most 1 point below fp32 after fine-tuning", string.Create(Invariant, $"{-structuredDrop:+0.00;-0.00;0.00} points"), structuredDrop <= 1));
        targets.Add(new BenchTarget("structured 50% faster than fp32", string.Create(Invariant, $"batch-1 {latencySpeedup:F2}×, batch-256 {throughputSpeedup:F2}×"), latencySpeedup > 1 && throughputSpeedup > 1));
        return targets;
    }

    private static string Section(Settings settings, IReadOnlyList<Row> rows, IReadOnlyList<BenchTarget> targets, TimeSpan elapsed, string log)
    {
        var text = new StringBuilder();
        var fp32 = rows.Single(row => row.Name == StudentRow);
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(string.Create(Invariant,
            $"Command: `./run bench compress --teacher-epochs {settings.TeacherEpochs} --student-epochs {settings.StudentEpochs} --fine-tune-epochs {settings.FineTuneEpochs} --latency-runs {settings.LatencyRuns} --seconds {settings.Seconds} --rounds {settings.Rounds} --seed {settings.Seed}` ({elapsed.TotalMinutes:F0} min on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})."));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant,
            $"Machine: {Machine.CpuModel()}. A small-CNN teacher (32-64-256, dropout 0.25) trained on the labels of Fashion-MNIST training images 0-49,999 for {settings.TeacherEpochs} epochs; the small-CNN student (16-32-128) distilled from it on the same images for {settings.StudentEpochs} epochs (KD, T = 4, α = 0.9). One teacher, not an ensemble: compression sees only the student either way. Every variant is made by the code behind `feddistill compress` (docs/compression.md): self-distillation from the uncompressed student on the 10,000 unlabeled public images 50,000-59,999 ({settings.FineTuneEpochs} epochs after pruning, and for QAT), PTQ calibrated on the same images."));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant,
            $"Measured in ONNX Runtime (CPU execution provider, **1 intra-op thread**) on the exported ONNX files: accuracy on the 10,000 test images; batch-1 latency is the median of {settings.LatencyRuns} single-image runs, batch-256 throughput is timed over at least {settings.Seconds} s, each the median of {settings.Rounds} rounds that take every file in turn. int8 runs on ONNX Runtime's exact int8 kernels (`OnnxStudent`'s default) except in the row marked fast kernels, whose uint8×int8 products can saturate on CPUs without VNNI (see `OnnxStudentOptions.ExactInt8Kernels`). Parameters are the nonzero ones for unstructured pruning (the dense ONNX file still stores the zeros)."));
        text.AppendLine();
        text.AppendLine("| model | precision | test accuracy | Δ vs fp32 (points) | parameters | ONNX bytes | batch-1 latency (ms) | batch-256 (samples/s) |");
        text.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            var delta = row.Name.StartsWith("teacher", StringComparison.Ordinal) ? "" : string.Create(Invariant, $"{100 * (row.Accuracy - fp32.Accuracy):+0.00;-0.00;0.00}");
            var model = row.Model;
            var parameters = model.Sparse ? string.Create(Invariant, $"{model.NonzeroParameters:N0} nonzero of {model.Parameters:N0}") : string.Create(Invariant, $"{model.Parameters:N0}");
            text.AppendLine(string.Create(Invariant,
                $"| {row.Name} | {model.Precision} | {row.Accuracy:F4} | {delta} | {parameters} | {row.OnnxBytes:N0} | {row.LatencyMilliseconds:F3} | {row.Throughput:F0} |"));
        }
        text.AppendLine();
        MarkdownSection.AppendTargetsAndLog(text, targets, log);
        text.AppendLine();
        return text.ToString();
    }

    private static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var reader = new ArgumentReader("compress", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--teacher-epochs" => settings with { TeacherEpochs = reader.Int(option, minimum: 1) },
                "--student-epochs" => settings with { StudentEpochs = reader.Int(option, minimum: 1) },
                "--fine-tune-epochs" => settings with { FineTuneEpochs = reader.Int(option, minimum: 1) },
                "--latency-runs" => settings with { LatencyRuns = reader.Int(option, minimum: 1) },
                "--rounds" => settings with { Rounds = reader.Int(option, minimum: 1) },
                "--threads" => settings with { Threads = reader.Int(option, minimum: 1) },
                "--seconds" => settings with { Seconds = reader.PositiveDouble(option) },
                "--seed" => settings with { Seed = reader.UnsignedLong(option) },
                "--work-dir" => settings with { WorkDirectory = reader.Value(option) },
                "--output" => settings with { Output = reader.Value(option) },
                "--no-output" => settings with { Output = null },
                _ => throw reader.Unknown(option),
            };
        }
        return settings;
    }
}
