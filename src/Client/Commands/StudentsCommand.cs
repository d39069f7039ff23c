using FedDistill.Distillation.Models;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using FedDistill.Client.Compression;
using FedDistill.Client.Operator;
using FedDistill.Client.Rendering;
using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Evaluation;
using FedDistill.Grains.Protocol;
using TorchSharp;

namespace FedDistill.Client.Commands;

/// <summary>The <c>feddistill students</c> commands: the published students, downloaded, evaluated and exported.</summary>
/// <remarks>Exit codes: see <see cref="OperatorExitCodes"/> and docs/console.md.</remarks>
public static class StudentsCommand
{
    private const int MaxTestExamples = 10_000;

    /// <summary>Builds <c>students</c> with <c>list</c>, <c>download</c>, <c>evaluate</c>, <c>export</c> and <c>compress</c>.</summary>
    public static Command Create() => new("students", "The students that completed rounds published.")
    {
        List(), Download(), Evaluate(), Export(), Compress(),
    };

    private static Command List() =>
        OperatorCommand.Create("list", "List the published students: version, accuracy on the aggregator's evaluation set, SHA-256.", "students list", [],
            async (_, session, cancellationToken) =>
            {
                var rounds = await (await session.AggregatorAsync(cancellationToken)).ListRoundsAsync().WaitAsync(cancellationToken);
                var students = rounds
                    .Where(round => round.State == RoundState.Completed && round.Result is not null)
                    .Select(round => new StudentSummary(round.Result!.StudentVersion, round.Result.StudentAccuracy, round.Result.StudentSha256, round.ClosedAt, round.Settings.Strategy, round.Result.Teachers.Count))
                    .OrderBy(student => student.Version)
                    .ToList();
                session.Write(students, OperatorJsonContext.Default.ListStudentSummary, FederationText.Students);
                return OperatorExitCodes.Succeeded;
            });

    private static Command Download()
    {
        var version = OperatorCommand.Number("V", "The student's version (its round's number).");
        var output = new Option<string>("--out") { Description = "The safetensors file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        return OperatorCommand.Create("download", "Download a student's state dict (safetensors), checked against its round's SHA-256.", "students download", [version, output, force],
            async (parse, session, cancellationToken) =>
            {
                var path = Path.GetFullPath(RequirePath(parse.GetValue(output), "--out"));
                if (File.Exists(path) && !parse.GetValue(force)) throw new OperatorUsageException($"--out: {path} already exists; add --force to replace it.");
                var number = parse.GetValue(version);
                var (state, sha) = await StudentFetch.DownloadAsync(await session.AggregatorAsync(cancellationToken), number, cancellationToken);
                await StudentFetch.WriteAsync(path, state, parse.GetValue(force), "--out", cancellationToken).ConfigureAwait(false);
                session.Write(new StudentDownload(number, path, state.LongLength, sha), OperatorJsonContext.Default.StudentDownload, written =>
                    $"Wrote student v{written.Version} to {written.Path} ({OperatorFormat.Bytes(written.Bytes)}, SHA-256 {written.Sha256}, as its round recorded).");
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command Evaluate()
    {
        var version = OperatorCommand.Number("V", "The student's version (its round's number).");
        var (dataDirectory, testExamples, threads, noSpeed) = EvaluationOptions();
        return OperatorCommand.Create("evaluate",
            "Download a student and evaluate it here on the local Fashion-MNIST test set (normalized as the federation's public set): accuracy, per class, confusion, calibration, size, speed.",
            "students evaluate", [version, dataDirectory, testExamples, threads, noSpeed],
            async (parse, session, cancellationToken) =>
            {
                var number = parse.GetValue(version);
                var (count, threadCount) = CheckEvaluation(parse.GetValue(testExamples), parse.GetValue(threads));
                var info = await (await session.AggregatorAsync(cancellationToken)).GetFederationAsync().WaitAsync(cancellationToken);
                var (state, _) = await StudentFetch.DownloadAsync(await session.AggregatorAsync(cancellationToken), number, cancellationToken);
                torch.set_num_threads(threadCount);
                var report = StudentEvaluation.Evaluate(info, number, state, parse.GetValue(dataDirectory), count, !parse.GetValue(noSpeed));
                session.Output.WriteLine(session.Json ? report.ToJson() : report.ToTable());
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command Export()
    {
        var version = OperatorCommand.Number("V", "The student's version (its round's number).");
        var output = new Option<string>("--out") { Description = "The directory to write student.safetensors, model.json and report.json into (created).", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the files if they exist." };
        var (dataDirectory, testExamples, threads, noSpeed) = EvaluationOptions();
        return OperatorCommand.Create("export",
            "Export a student for deployment: student.safetensors (state dict), model.json (its ModelSpec) and report.json (its evaluation on the local test set).",
            "students export", [version, output, force, dataDirectory, testExamples, threads, noSpeed],
            async (parse, session, cancellationToken) =>
            {
                var number = parse.GetValue(version);
                var directory = Path.GetFullPath(RequirePath(parse.GetValue(output), "--out"));
                var overwrite = parse.GetValue(force);
                var studentPath = Path.Combine(directory, "student.safetensors");
                var modelPath = Path.Combine(directory, "model.json");
                var reportPath = Path.Combine(directory, "report.json");
                foreach (var path in new[] { studentPath, modelPath, reportPath })
                    if (File.Exists(path) && !overwrite) throw new OperatorUsageException($"--out: {path} already exists; add --force to replace it.");
                var (count, threadCount) = CheckEvaluation(parse.GetValue(testExamples), parse.GetValue(threads));

                var info = await (await session.AggregatorAsync(cancellationToken)).GetFederationAsync().WaitAsync(cancellationToken);
                var (state, sha) = await StudentFetch.DownloadAsync(await session.AggregatorAsync(cancellationToken), number, cancellationToken);
                torch.set_num_threads(threadCount);
                var report = StudentEvaluation.Evaluate(info, number, state, parse.GetValue(dataDirectory), count, !parse.GetValue(noSpeed));

                await StudentFetch.WriteAsync(studentPath, state, overwrite, "--out", cancellationToken).ConfigureAwait(false);
                var model = info.StudentModel;
                await StudentFetch.WriteAsync(modelPath, Encoding.UTF8.GetBytes(model + "\n"), overwrite, "--out", cancellationToken).ConfigureAwait(false);
                await StudentFetch.WriteAsync(reportPath, Encoding.UTF8.GetBytes(report.ToJson() + "\n"), overwrite, "--out", cancellationToken).ConfigureAwait(false);

                var export = new StudentExport(number, directory, studentPath, modelPath, reportPath, sha, report.Accuracy);
                session.Write(export, OperatorJsonContext.Default.StudentExport, written => string.Join(Environment.NewLine,
                    $"Exported student v{written.Version} to {written.Directory}",
                    $"  student.safetensors  state dict, SHA-256 {written.Sha256}",
                    $"  model.json           {ModelSpecFile.Parse(info.StudentModel).Kind} (the model spec it loads into)",
                    $"  report.json          accuracy {OperatorFormat.Accuracy(written.Accuracy)} on {report.ExampleCount} local test images"));
                return OperatorExitCodes.Succeeded;
            });
    }

    private static Command Compress()
    {
        var version = OperatorCommand.Number("V", "The student's version (its round's number).");
        var settings = new CompressCommand.SettingOptions("distillation from the round's target (the federation's soft labels on its public set)");
        var command = OperatorCommand.Create("compress",
            "Compress a published student for serving, as `feddistill compress` does, fine-tuned against the federation's own soft labels (the target its round distilled from) "
            + "on the public set rebuilt here: no teacher or private data is needed. Writes student.safetensors + model.json, student.onnx, student.int8.onnx (with --int8) and report.json.",
            "students compress", [version],
            async (parse, session, cancellationToken) =>
            {
                var number = parse.GetValue(version);
                var options = settings.Read(parse, "");
                var problems = options.ValidateSettings();
                if (problems.Count > 0) throw new OperatorUsageException(string.Join(" ", problems));

                var aggregator = await session.AggregatorAsync(cancellationToken);
                var info = await aggregator.GetFederationAsync().WaitAsync(cancellationToken);
                ModelSpec spec;
                try
                {
                    spec = ModelSpecFile.Parse(info.StudentModel, "the federation's student model");
                }
                catch (InvalidDataException error)
                {
                    throw new OperationFailedException($"The federation's student model cannot be built here: {error.Message}");
                }
                if (options.Prune == PruningOptions.Structured && CompressionOptions.StructuredKindProblem(spec.Kind, "the federation's student model") is { } kindProblem)
                    throw new OperatorUsageException(kindProblem);
                var round = await aggregator.GetRoundAsync(number).WaitAsync(cancellationToken);
                var (state, sha) = await StudentFetch.DownloadAsync(aggregator, number, cancellationToken);
                session.Note($"Downloaded student v{number} ({OperatorFormat.Bytes(state.LongLength)}, SHA-256 {sha}, as its round recorded).");
                var publicSet = StudentEvaluation.LoadPublicSet(info, options.DataDirectory);
                var target = await StudentFetch.DownloadTargetAsync(aggregator, number, publicSet.Examples.Count, publicSet.Examples.ClassCount, cancellationToken);
                session.Note($"Downloaded round {number}'s distillation target: {publicSet.Examples.Count} public examples × {publicSet.Examples.ClassCount} logits.");

                var student = new FederatedStudent(info.Name, number, sha, state, spec, publicSet, target, round.Settings.Temperature);
                CompressionReport report;
                try
                {
                    report = StudentCompression.RunFederated(student, options, new SynchronousProgress<string>(session.Note), cancellationToken);
                }
                catch (InvalidDataException error)
                {
                    throw new OperationFailedException(error.Message);
                }
                session.Write(report, CompressionJsonContext.Default.CompressionReport, written => Environment.NewLine + CompressCommand.Summary(written));
                return OperatorExitCodes.Succeeded;
            });
        settings.AddTo(command);
        return command;
    }

    private static (Option<string?> DataDirectory, Option<int> TestExamples, Option<int?> Threads, Option<bool> NoSpeed) EvaluationOptions() => (
        new Option<string?>("--data-dir") { Description = "Directory holding Fashion-MNIST's IDX files (default: Debian's dataset-fashion-mnist)." },
        new Option<int>("--test-examples") { Description = $"Test images to evaluate on, the first ones (1 to {MaxTestExamples}).", DefaultValueFactory = _ => MaxTestExamples },
        new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per core)." },
        new Option<bool>("--no-speed") { Description = "Skip timing the model (latency and throughput)." });

    private static (int Count, int Threads) CheckEvaluation(int testExamples, int? threads)
    {
        if (testExamples is < 1 or > MaxTestExamples) throw new OperatorUsageException($"--test-examples is {testExamples}; it must be in [1, {MaxTestExamples}].");
        if (threads is < 1) throw new OperatorUsageException($"--threads is {threads}; it must be at least 1.");
        return (testExamples, threads ?? Environment.ProcessorCount);
    }

    private static string RequirePath(string? path, string option) =>
        string.IsNullOrWhiteSpace(path) ? throw new OperatorUsageException($"{option} is required: a path.") : path;
}
