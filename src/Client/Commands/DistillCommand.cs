using System.CommandLine;
using FedDistill.Client.Rendering;
using FedDistill.Distillation.Configuration;
using TorchSharp;

namespace FedDistill.Client.Commands;

/// <summary>
/// The <c>feddistill distill --config file.json [--json]</c> command: centralized multi-teacher
/// distillation as one JSON file describes it (docs/configuration.md).
/// </summary>
/// <remarks>
/// Exit codes: <see cref="Succeeded"/>, <see cref="InvalidConfiguration"/> (every problem on
/// standard error, one per line) and <see cref="Failed"/> (the run failed; the reason on standard error).
/// </remarks>
public static class DistillCommand
{
    /// <summary>The run finished and wrote its files.</summary>
    public const int Succeeded = 0;

    /// <summary>The run failed after it started (missing data, a model that does not fit, an I/O error, cancellation).</summary>
    public const int Failed = 1;

    /// <summary>The configuration file is missing or invalid; nothing was run.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>Builds the command with its options.</summary>
    public static Command Create()
    {
        var config = new Option<string>("--config")
        {
            Description = "The JSON configuration of the run (see docs/configuration.md and docs/examples/).",
            Required = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print only the student's evaluation report as JSON on standard output (stage lines go to standard error).",
        };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per core)." };

        var command = new Command("distill", "Distill a student from several teachers, as a JSON configuration file describes.")
        {
            config, json, threads,
        };
        command.SetAction((parse, cancellationToken) =>
            Task.FromResult(Run(parse.GetValue(config)!, parse.GetValue(json), parse.GetValue(threads) ?? Environment.ProcessorCount, Console.Out, Console.Error, cancellationToken)));
        return command;
    }

    /// <summary>Loads the configuration, runs it and prints the outcome; returns the exit code.</summary>
    /// <param name="configPath">The configuration file.</param>
    /// <param name="json">Print only the report JSON on <paramref name="output"/>.</param>
    /// <param name="threads">libtorch intra-op threads, or null to leave libtorch's setting.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error: configuration problems, failures and, with <paramref name="json"/>, stage lines.</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    public static int Run(string configPath, bool json, int? threads, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        CentralizedDistillation run;
        try
        {
            if (threads is < 1) throw new DistillationConfigException($"--threads is {threads}; it must be at least 1.");
            run = new CentralizedDistillation(DistillationConfigLoader.Load(configPath));
        }
        catch (DistillationConfigException exception)
        {
            foreach (var line in exception.Errors) error.WriteLine(line);
            return InvalidConfiguration;
        }

        try
        {
            if (threads is { } count) torch.set_num_threads(count);
            var stageWriter = json ? error : output;
            var stages = new SynchronousProgress<string>(line => stageWriter.WriteLine(line));
            var result = json
                ? run.Run(stages, null, cancellationToken)
                : run.Run(stages, TrainingProgressView.Run, cancellationToken);
            if (json)
            {
                output.WriteLine(result.Student.ToJson());
            }
            else
            {
                output.WriteLine();
                output.Write(result.ToTable());
                output.WriteLine($"Finished in {result.Elapsed.TotalSeconds:F1} s.");
            }
            return Succeeded;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("feddistill distill: cancelled.");
            return Failed;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            error.WriteLine($"feddistill distill: {exception.Message}");
            return Failed;
        }
    }
}
