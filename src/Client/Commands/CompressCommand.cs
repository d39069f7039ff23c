using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FedDistill.Client.Compression;
using FedDistill.Client.Operator;
using FedDistill.Client.Rendering;
using FedDistill.Distillation.Compression.Pruning;

namespace FedDistill.Client.Commands;

/// <summary>
/// The <c>feddistill compress STUDENT --out DIR [--prune KIND --sparsity S] [--int8 ptq|qat]</c>
/// command: prunes and quantizes a published student for serving, fine-tuning it by
/// self-distillation (the uncompressed student is the teacher), and writes it as a state dict,
/// fp32 and int8 ONNX files and a report (docs/compression.md).
/// </summary>
/// <remarks>
/// Exit codes: <see cref="Succeeded"/>, <see cref="Failed"/> (the reason on standard error) and
/// <see cref="InvalidUsage"/> (every problem on standard error, each naming its option).
/// </remarks>
public static class CompressCommand
{
    /// <summary>The compressed student and its report were written.</summary>
    public const int Succeeded = 0;

    /// <summary>The run failed after it started (unreadable student files, missing data, an I/O error, cancellation).</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments (a value out of range, a student directory without its files, output files that exist); nothing was written.</summary>
    public const int InvalidUsage = 2;

    /// <summary>Builds the command with its options and defaults.</summary>
    public static Command Create()
    {
        var student = new Argument<string>("STUDENT")
        {
            Description = "The student to compress: a directory holding student.safetensors and model.json, as `feddistill distill` and `feddistill students export` write them.",
        };
        var settings = new SettingOptions("self-distillation (the uncompressed student's logits are the teacher)");
        var json = new Option<bool>("--json") { Description = "Print only the report as JSON on standard output (stage lines go to standard error)." };

        var command = new Command("compress",
            "Compress a student for serving: prune it and/or make an int8 model, fine-tuned by self-distillation (the uncompressed student is the teacher), "
            + "written as student.safetensors + model.json, student.onnx and student.int8.onnx, with a report of test accuracy, parameters and file sizes.")
        {
            student,
        };
        settings.AddTo(command);
        command.Options.Add(json);
        command.SetAction((parse, cancellationToken) =>
            Task.FromResult(Run(settings.Read(parse, parse.GetValue(student) ?? ""), parse.GetValue(json), Console.Out, Console.Error, cancellationToken)));
        return command;
    }

    /// <summary>
    /// The options that say how to compress (every one but the student): shared by
    /// <c>feddistill compress</c> and <c>feddistill students compress</c>.
    /// </summary>
    internal sealed class SettingOptions
    {
        private readonly CompressionOptions _defaults = new("", "");
        private readonly Option<string?> _output = new("--out") { Description = "The directory to write the compressed student.safetensors, model.json, student.onnx, student.int8.onnx (with --int8) and report.json into (created). Required." };
        private readonly Option<string?> _prune = new("--prune") { Description = $"Prune the student: {string.Join(", ", PruningOptions.Kinds)} (unstructured: zero the smallest weights, over the whole model or per layer; structured: remove whole channels and units, a really smaller network; mlp, small-cnn, lenet5)." };
        private readonly Option<double> _sparsity;
        private readonly Option<string> _int8;
        private readonly Option<int> _fineTuneEpochs;
        private readonly Option<double> _learningRate;
        private readonly Option<string?> _dataDirectory = new("--data-dir") { Description = "Directory holding Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist, or $FEDDISTILL_FASHION_MNIST_DIR)." };
        private readonly Option<int> _publicCount;
        private readonly Option<int> _testExamples;
        private readonly Option<ulong> _seed;
        private readonly Option<int?> _threads = new("--threads") { Description = "libtorch and ONNX Runtime intra-op threads (default: one per core)." };
        private readonly Option<bool> _force = new("--force") { Description = "Replace the output files if they exist." };

        /// <param name="teacher">What fine-tuning distills from, in words, for the options' help.</param>
        public SettingOptions(string teacher)
        {
            _sparsity = new Option<double>("--sparsity") { Description = "With --prune: the share of weights (unstructured) or of each layer's channels and units (structured) to remove, in [0, 1).", DefaultValueFactory = _ => _defaults.Sparsity };
            _int8 = new Option<string>("--int8") { Description = $"Make an int8 model: none, ptq (calibrate activation ranges on the public examples) or qat (quantization-aware training by {teacher}).", DefaultValueFactory = _ => _defaults.Int8 };
            _fineTuneEpochs = new Option<int>("--fine-tune-epochs") { Description = $"Epochs of fine-tuning after pruning, and of quantization-aware training, by {teacher}.", DefaultValueFactory = _ => _defaults.FineTuneEpochs };
            _learningRate = new Option<double>("--learning-rate") { Description = "Adam learning rate of fine-tuning after pruning; quantization-aware training uses a tenth of it.", DefaultValueFactory = _ => _defaults.LearningRate };
            _publicCount = new Option<int>("--public-count") { Description = $"Public examples to fine-tune and calibrate on, the first ones, 1 to {CompressionOptions.MaxPublicCount:N0} (for a local student: unlabeled training images from image {CompressionOptions.PublicStart:N0} on; for a federation's: its public set's examples).", DefaultValueFactory = _ => _defaults.PublicCount };
            _testExamples = new Option<int>("--test-examples") { Description = $"Test images to evaluate on, the first ones (1 to {CompressionOptions.MaxTestExamples:N0}).", DefaultValueFactory = _ => _defaults.TestExamples };
            _seed = new Option<ulong>("--seed") { Description = "Seed of fine-tuning (batch order, libtorch's generator).", DefaultValueFactory = _ => _defaults.Seed };
        }

        /// <summary>Adds the options to <paramref name="command"/>.</summary>
        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { _output, _prune, _sparsity, _int8, _fineTuneEpochs, _learningRate, _dataDirectory, _publicCount, _testExamples, _seed, _threads, _force })
                command.Options.Add(option);
        }

        /// <summary>The options as parsed, for the student in <paramref name="studentDirectory"/> (empty for a federation's student).</summary>
        public CompressionOptions Read(ParseResult parse, string studentDirectory) => new(studentDirectory, parse.GetValue(_output) ?? "")
        {
            Prune = parse.GetValue(_prune),
            Sparsity = parse.GetValue(_sparsity),
            Int8 = parse.GetValue(_int8) ?? _defaults.Int8,
            FineTuneEpochs = parse.GetValue(_fineTuneEpochs),
            LearningRate = parse.GetValue(_learningRate),
            DataDirectory = parse.GetValue(_dataDirectory),
            PublicCount = parse.GetValue(_publicCount),
            TestExamples = parse.GetValue(_testExamples),
            Seed = parse.GetValue(_seed),
            Threads = parse.GetValue(_threads) ?? Environment.ProcessorCount,
            Force = parse.GetValue(_force),
        };
    }

    /// <summary>Validates the options, runs the compression and prints the outcome; returns the exit code.</summary>
    /// <param name="options">What to do.</param>
    /// <param name="json">Print only the report JSON on <paramref name="output"/>.</param>
    /// <param name="output">Standard output: stage lines and the summary table, or the JSON report.</param>
    /// <param name="error">Standard error: problems, failures and, with <paramref name="json"/>, stage lines.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public static int Run(CompressionOptions options, bool json, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems) error.WriteLine($"feddistill compress: {problem}");
            error.WriteLine("See 'feddistill compress --help'.");
            return InvalidUsage;
        }

        try
        {
            var stageWriter = json ? error : output;
            var report = StudentCompression.Run(options, new SynchronousProgress<string>(line => stageWriter.WriteLine(line)), cancellationToken);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(report, CompressionJsonContext.Default.CompressionReport));
            }
            else
            {
                output.WriteLine();
                output.WriteLine(Summary(report));
            }
            return Succeeded;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("feddistill compress: cancelled.");
            return Failed;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            error.WriteLine($"feddistill compress: {exception.Message}");
            return Failed;
        }
    }

    /// <summary>The report as a table: the original, the compressed fp32 model and the int8 one.</summary>
    public static string Summary(CompressionReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var invariant = CultureInfo.InvariantCulture;
        string Count(long value) => value.ToString("N0", invariant);
        string Bytes(long? value) => value is { } bytes ? Count(bytes) : "";
        var table = new TextTable("model", "test accuracy", "parameters", "nonzero", "file", "bytes");
        table.Add("original (fp32)", OperatorFormat.Accuracy(report.Original.Accuracy), Count(report.Original.Parameters), Count(report.Original.NonzeroParameters),
            CompressionFiles.State, Bytes(report.Original.StateDictBytes));
        table.Add("compressed (fp32)", OperatorFormat.Accuracy(report.Compressed.Accuracy), Count(report.Compressed.Parameters), Count(report.Compressed.NonzeroParameters),
            CompressionFiles.State, Bytes(report.Compressed.StateDictBytes));
        table.Add("  in ONNX Runtime", OperatorFormat.Accuracy(report.Compressed.OnnxAccuracy), "", "", CompressionFiles.Onnx, Bytes(report.Compressed.OnnxBytes));
        if (report.Quantized is { } int8)
        {
            table.Add($"int8 ({int8.Method}), simulated", OperatorFormat.Accuracy(int8.SimulatedAccuracy));
            table.Add($"int8 ({int8.Method}) in ONNX Runtime", OperatorFormat.Accuracy(int8.OnnxAccuracy), "", "", CompressionFiles.Int8Onnx, Bytes(int8.OnnxBytes));
        }

        var what = new List<string>();
        if (report.Prune is { } kind) what.Add(string.Create(invariant, $"{kind} pruning at {report.Sparsity:0.##} sparsity"));
        if (report.Quantized is { } quantized) what.Add($"int8 ({quantized.Method})");
        return string.Join(Environment.NewLine,
            $"Compressed {report.Model.Kind} student ({report.Student}): {string.Join(" + ", what)}, {report.FineTuneEpochs} fine-tuning epochs against {report.Teacher}; {report.TestExamples:N0} test images.",
            table.ToString(),
            $"Wrote {report.Output} (report.json holds these numbers and the per-layer shapes).",
            string.Create(invariant, $"Finished in {report.ElapsedSeconds:F1} s."));
    }
}
