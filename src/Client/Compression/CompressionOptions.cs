using System.Globalization;
using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Models;

namespace FedDistill.Client.Compression;

/// <summary>
/// What <c>feddistill compress</c> does to a student: each property is one of the command's
/// options, and <see cref="Validate"/> names the option in every problem.
/// </summary>
/// <param name="StudentDirectory">The student to compress: a directory holding <c>student.safetensors</c> and <c>model.json</c> (the command's argument).</param>
/// <param name="OutputDirectory"><c>--out</c>: where the compressed student, its ONNX files and <c>report.json</c> go (created).</param>
public sealed record CompressionOptions(string StudentDirectory, string OutputDirectory)
{
    /// <summary>The value of <c>--int8</c> that keeps the weights in float.</summary>
    public const string NoInt8 = "none";

    /// <summary>Post-training quantization: activation ranges calibrated on the public examples, weights as they are.</summary>
    public const string PostTrainingQuantization = "ptq";

    /// <summary>Quantization-aware training: the weights are fine-tuned through fake int8 rounding by self-distillation.</summary>
    public const string QuantizationAwareTraining = "qat";

    /// <summary>The values <c>--int8</c> accepts.</summary>
    public static IReadOnlyList<string> Int8Methods { get; } = [NoInt8, PostTrainingQuantization, QuantizationAwareTraining];

    /// <summary>The training images the public examples start at: the federation's public set (training images 50,000 to 59,999).</summary>
    public const int PublicStart = 50_000;

    /// <summary>The most public examples there are (training images 50,000 to 59,999).</summary>
    public const int MaxPublicCount = 10_000;

    /// <summary>The Fashion-MNIST test images.</summary>
    public const int MaxTestExamples = 10_000;

    /// <summary><c>--prune</c>: one of <see cref="PruningOptions.Kinds"/>, or null not to prune.</summary>
    public string? Prune { get; init; }

    /// <summary><c>--sparsity</c>: the share of weights (unstructured) or of each layer's channels and units (structured) removed, in [0, 1).</summary>
    public double Sparsity { get; init; } = 0.5;

    /// <summary><c>--int8</c>: <see cref="NoInt8"/>, <see cref="PostTrainingQuantization"/> or <see cref="QuantizationAwareTraining"/>.</summary>
    public string Int8 { get; init; } = NoInt8;

    /// <summary><c>--fine-tune-epochs</c>: epochs of self-distillation after pruning, and of quantization-aware training; at least 0 (at least 1 for QAT).</summary>
    public int FineTuneEpochs { get; init; } = 2;

    /// <summary><c>--learning-rate</c>: Adam's learning rate for fine-tuning after pruning; quantization-aware training uses a tenth of it.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary><c>--data-dir</c>: the Fashion-MNIST IDX files, or null for <see cref="Distillation.Data.FashionMnist.ResolveDirectory"/>'s default.</summary>
    public string? DataDirectory { get; init; }

    /// <summary><c>--public-count</c>: unlabeled training images, from image 50,000 on, used for fine-tuning and calibration; 1 to 10,000.</summary>
    public int PublicCount { get; init; } = MaxPublicCount;

    /// <summary><c>--test-examples</c>: the first this many test images are evaluated on; 1 to 10,000.</summary>
    public int TestExamples { get; init; } = MaxTestExamples;

    /// <summary><c>--seed</c>: seeds fine-tuning's batch order and libtorch's generator.</summary>
    public ulong Seed { get; init; }

    /// <summary><c>--threads</c>: libtorch's and ONNX Runtime's intra-op threads, at least 1.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary><c>--force</c>: replace output files that exist.</summary>
    public bool Force { get; init; }

    /// <summary>True when <see cref="Prune"/> names a kind.</summary>
    public bool Prunes => Prune is not null;

    /// <summary>True when an int8 model is made.</summary>
    public bool Quantizes => Int8 != NoInt8;

    /// <summary>The input's state dict.</summary>
    public string StudentStatePath => Path.Combine(StudentDirectory, CentralizedDistillation.StudentStateFile);

    /// <summary>The input's model spec.</summary>
    public string StudentModelPath => Path.Combine(StudentDirectory, CentralizedDistillation.StudentModelFile);

    /// <summary>
    /// Every problem with the options, each naming the option (or the student directory argument)
    /// and what is allowed: values out of range, a student directory without its two files, an
    /// output directory that is the input or whose files exist without <see cref="Force"/>.
    /// Empty when the compression can run.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>(ValidateSettings(checkOutputFiles: false));
        if (string.IsNullOrWhiteSpace(StudentDirectory))
            problems.Add("STUDENT is required: the directory holding student.safetensors and model.json.");
        else if (!Directory.Exists(StudentDirectory))
            problems.Add($"STUDENT: there is no directory '{StudentDirectory}'.");
        else
        {
            foreach (var path in new[] { StudentStatePath, StudentModelPath })
                if (!File.Exists(path))
                    problems.Add($"STUDENT: '{StudentDirectory}' has no {Path.GetFileName(path)}; give a directory that `feddistill distill` or `feddistill students export` wrote.");
            if (Prune == PruningOptions.Structured && StructuredKindProblem() is { } problem) problems.Add(problem);
        }

        if (string.IsNullOrWhiteSpace(OutputDirectory))
            problems.Add("--out is required: a directory.");
        else if (!string.IsNullOrWhiteSpace(StudentDirectory) && SameDirectory(StudentDirectory, OutputDirectory))
            problems.Add("--out is the student's own directory; give another, so the original stays as it was.");
        else
            problems.AddRange(ExistingOutputProblems());
        return problems;
    }

    /// <summary>
    /// Every problem with the options other than the student directory: what <c>feddistill students
    /// compress</c> checks, whose student comes from the federation. Includes <c>--out</c> and its
    /// existing files when <paramref name="checkOutputFiles"/>.
    /// </summary>
    public IReadOnlyList<string> ValidateSettings(bool checkOutputFiles = true)
    {
        var problems = new List<string>();
        var invariant = CultureInfo.InvariantCulture;
        if (Prune is not null && !PruningOptions.Kinds.Contains(Prune))
            problems.Add($"--prune is '{Prune}'; allowed: {string.Join(", ", PruningOptions.Kinds)}.");
        if (!(Sparsity >= 0 && Sparsity < 1))
            problems.Add(string.Create(invariant, $"--sparsity is {Sparsity}; it must be in [0, 1)."));
        if (!Int8Methods.Contains(Int8))
            problems.Add($"--int8 is '{Int8}'; allowed: {string.Join(", ", Int8Methods)}.");
        if (FineTuneEpochs < 0)
            problems.Add($"--fine-tune-epochs is {FineTuneEpochs}; it must be at least 0.");
        else if (FineTuneEpochs == 0 && Int8 == QuantizationAwareTraining)
            problems.Add("--fine-tune-epochs is 0 but --int8 qat trains; give it at least 1, or use --int8 ptq.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
            problems.Add(string.Create(invariant, $"--learning-rate is {LearningRate}; it must be a positive number."));
        if (PublicCount is < 1 or > MaxPublicCount)
            problems.Add($"--public-count is {PublicCount}; it must be in [1, {MaxPublicCount}] (training images from {PublicStart} on).");
        if (TestExamples is < 1 or > MaxTestExamples)
            problems.Add($"--test-examples is {TestExamples}; it must be in [1, {MaxTestExamples}].");
        if (Threads < 1)
            problems.Add($"--threads is {Threads}; it must be at least 1.");
        if (Prune is null && Int8 == NoInt8)
            problems.Add("Nothing to do: give --prune, --int8 or both.");
        if (checkOutputFiles)
        {
            if (string.IsNullOrWhiteSpace(OutputDirectory)) problems.Add("--out is required: a directory.");
            else problems.AddRange(ExistingOutputProblems());
        }
        return problems;
    }

    /// <summary>
    /// The problem with structured pruning of a student of <paramref name="kind"/>, or null when
    /// it is supported (mlp, small-cnn, lenet5) or unknown.
    /// </summary>
    public static string? StructuredKindProblem(string? kind, string where) =>
        kind?.ToLowerInvariant() is "mlp" or "small-cnn" or "lenet5" or null
            ? null
            : $"--prune structured removes channels of mlp, small-cnn and lenet5 students only; this one is a {kind} ({where}): use --prune {PruningOptions.UnstructuredGlobal} or {PruningOptions.UnstructuredPerLayer}.";

    private IEnumerable<string> ExistingOutputProblems()
    {
        if (Force) yield break;
        foreach (var name in OutputFiles(Int8 != NoInt8))
        {
            var path = Path.Combine(OutputDirectory, name);
            if (File.Exists(path)) yield return $"--out: {Path.GetFullPath(path)} already exists; add --force to replace it.";
        }
    }

    /// <summary>The names of the files the command writes into <see cref="OutputDirectory"/>.</summary>
    public static IReadOnlyList<string> OutputFiles(bool int8) => int8
        ? [CompressionFiles.State, CompressionFiles.Spec, CompressionFiles.Onnx, CompressionFiles.Int8Onnx, CompressionFiles.Report]
        : [CompressionFiles.State, CompressionFiles.Spec, CompressionFiles.Onnx, CompressionFiles.Report];

    /// <summary>The problem with structured pruning of the student's kind, or null when it is supported or model.json cannot be read (the run reports that).</summary>
    private string? StructuredKindProblem()
    {
        ModelSpec spec;
        try
        {
            spec = ModelSpecFile.Read(StudentModelPath);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }
        return StructuredKindProblem(spec.Kind, Path.GetFileName(StudentModelPath));
    }

    private static bool SameDirectory(string first, string second) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(first)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(second)), StringComparison.Ordinal);
}
