using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using FedDistill.Distillation.Compute;
using FedDistill.Serving;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Students;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace FedDistill.Client.Commands;

/// <summary>
/// <c>feddistill serve --student PATH [--urls URLS] [--max-batch N] [--max-wait-ms MS] [--queue-capacity N] [--threads N] [--device NAME]</c>:
/// serves a distilled student over HTTP with dynamic batching (<see cref="StudentServer"/>):
/// <c>POST /v1/predict</c>, <c>GET /v1/model</c>, <c>GET /healthz</c>, <c>GET /metrics</c>.
/// </summary>
/// <remarks>
/// The student is the <c>student.safetensors</c> that <c>feddistill distill</c> or
/// <c>feddistill students export</c> wrote, with its <c>model.json</c> beside it. The server listens
/// on <c>--urls</c> only (default 127.0.0.1:8080, loopback) and runs until Ctrl+C or SIGTERM, then
/// answers the requests in flight. Exit codes: <see cref="Stopped"/>, <see cref="Failed"/>,
/// <see cref="InvalidUsage"/>.
/// </remarks>
public static class ServeCommand
{
    /// <summary>The server ran and was stopped (Ctrl+C, SIGTERM).</summary>
    public const int Stopped = 0;

    /// <summary>The server could not start (an address that cannot be bound) or the student fails on the device.</summary>
    public const int Failed = 1;

    /// <summary>A bad option or student file; nothing was started. The problems go to standard error, naming the option.</summary>
    public const int InvalidUsage = 2;

    // How long a stop waits for the requests in flight (a second Ctrl+C ends the process at once).
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    // Settings named as the console's options, for the options' own messages.
    private static readonly (string Setting, string Option)[] OptionNames =
    [
        ("ServingOptions.Urls", "--urls"),
        ("BatchingOptions.MaxBatchSize", "--max-batch"),
        ("BatchingOptions.MaxWait", "--max-wait-ms"),
        ("BatchingOptions.QueueCapacity", "--queue-capacity"),
    ];

    /// <summary>Builds the command with its options.</summary>
    public static Command Create()
    {
        var defaults = new ServingOptions();
        var student = new Option<string>("--student")
        {
            Description = "The student: its state dict (student.safetensors, as distill or students export writes it, with its model.json beside it), or an ONNX file (student.onnx or student.int8.onnx, as compress writes it).",
            Required = true,
        };
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, ';'-separated http://ADDRESS:PORT (port 0 picks one). Only there: 0.0.0.0 listens on every interface.",
            DefaultValueFactory = _ => ServingOptions.DefaultUrls,
        };
        var maxBatch = new Option<int>("--max-batch")
        {
            Description = $"Most examples per batch, 1 to {BatchingOptions.MaxBatchSizeLimit}; also the most per request.",
            DefaultValueFactory = _ => defaults.Batching.MaxBatchSize,
        };
        var maxWait = new Option<double>("--max-wait-ms")
        {
            Description = $"Longest a request waits for others to share its batch, in milliseconds, 0 to {BatchingOptions.MaxWaitLimit.TotalMilliseconds}.",
            DefaultValueFactory = _ => defaults.Batching.MaxWait.TotalMilliseconds,
        };
        var queueCapacity = new Option<int>("--queue-capacity")
        {
            Description = "Most requests waiting for a batch; more are refused with 503 (overloaded).",
            DefaultValueFactory = _ => defaults.Batching.QueueCapacity,
        };
        var threads = new Option<int?>("--threads") { Description = "libtorch intra-op threads (default: one per core)." };
        var device = new Option<string>("--device")
        {
            Description = $"Where the student runs: {ComputeDevice.AllowedNames}.",
            DefaultValueFactory = _ => ComputeDevice.Auto,
        };

        var command = new Command("serve", "Serve a distilled student over HTTP with dynamic batching: POST /v1/predict, GET /v1/model, GET /healthz, GET /metrics.")
        {
            student, urls, maxBatch, maxWait, queueCapacity, threads, device,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // System.CommandLine 2.0.0 turns no signal into cancellation (its InvocationConfiguration.
            // ProcessTerminationTimeout is null unless set), so the server would die mid-request on
            // Ctrl+C or SIGTERM: the first one stops it gracefully, a second one ends the process.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return await RunAsync(
                parse.GetValue(student)!,
                new ServingOptions
                {
                    Urls = parse.GetValue(urls)!,
                    Batching = new BatchingOptions
                    {
                        MaxBatchSize = parse.GetValue(maxBatch),
                        MaxWait = Milliseconds(parse.GetValue(maxWait)),
                        QueueCapacity = parse.GetValue(queueCapacity),
                    },
                },
                parse.GetValue(threads), parse.GetValue(device)!, Console.Out, Console.Error, stop.Token).ConfigureAwait(false);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = !stop.IsCancellationRequested;
                stop.Cancel();
            }
        });
        return command;
    }

    /// <summary>Loads the student, serves it until <paramref name="cancellationToken"/> fires, then stops; returns the exit code.</summary>
    /// <param name="studentPath">The student's <c>.safetensors</c> state dict, with <c>model.json</c> beside it.</param>
    /// <param name="options">Where to listen and how to batch.</param>
    /// <param name="threads">libtorch intra-op threads, or null to leave libtorch's setting.</param>
    /// <param name="deviceName">Where the student runs (<see cref="ComputeDevice.AllowedNames"/>).</param>
    /// <param name="output">Standard output: what is served where.</param>
    /// <param name="error">Standard error: problems, and the server's warnings and errors.</param>
    /// <param name="cancellationToken">Stops the server (Ctrl+C, SIGTERM).</param>
    public static async Task<int> RunAsync(string studentPath, ServingOptions options, int? threads, string deviceName, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var problems = options.Validate().Select(ForConsole).ToList();
        if (threads is < 1) problems.Add($"--threads is {threads}; it must be at least 1.");
        if (ComputeDevice.Validate(deviceName) is { } deviceProblem) problems.Add($"--device: {deviceProblem}.");
        if (problems.Count > 0) return Usage(error, problems);

        torch.Device device;
        try
        {
            device = ComputeDevice.Resolve(deviceName);
        }
        catch (ArgumentException exception)
        {
            return Usage(error, [$"--device: {exception.Message}"]);
        }

        IStudentModel model;
        string description;
        try
        {
            if (threads is { } count) torch.set_num_threads(count);
            if (studentPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            {
                var onnx = OnnxStudentModel.Load(studentPath, threads ?? 0);
                model = onnx;
                description = $"ONNX student {studentPath} (ONNX Runtime on the CPU";
            }
            else
            {
                var (torchModel, spec) = TorchSharpStudentModel.Load(studentPath, device);
                model = torchModel;
                description = string.Create(CultureInfo.InvariantCulture,
                    $"{spec.Kind} student {studentPath} ({torchModel.ParameterCount:N0} parameters on {ComputeDevice.Describe(torchModel.Device)}");
            }
        }
        catch (Exception exception) when (exception is FileNotFoundException or InvalidDataException or ArgumentException or UnauthorizedAccessException or IOException
            or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return Usage(error, [$"--student: {exception.Message}"]);
        }

        using ((IDisposable)model)
        {
            StudentServer server;
            try
            {
                server = await StudentServer.StartAsync(model, options, ConfigureLogging,
                    cancellationToken).ConfigureAwait(false);
            }
            catch (IOException exception)
            {
                error.WriteLine($"feddistill serve: cannot listen on {options.Urls}: {exception.Message}");
                return Failed;
            }
            catch (OperationCanceledException)
            {
                return Stopped;
            }

            await using (server)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Serving {description}; examples of shape [{string.Join(", ", model.ExampleShape)}], {model.Classes} classes)"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Batches of up to {options.Batching.MaxBatchSize} examples, waiting at most {options.Batching.MaxWait.TotalMilliseconds} ms; at most {options.Batching.QueueCapacity} requests queued"));
                foreach (var address in server.Addresses)
                    output.WriteLine($"Listening on {address.ToString().TrimEnd('/')}: POST /v1/predict, GET /v1/model, GET /healthz, GET /metrics");
                output.WriteLine("Press Ctrl+C to stop.");
                output.Flush();
                // Completed from the signal's handler thread: its continuation must not run there (inline,
                // it would hold up the handler's thread and the console with it), so it runs on the pool.
                var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (cancellationToken.Register(() => stopping.TrySetResult()))
                    await stopping.Task.ConfigureAwait(false);
                output.WriteLine("Stopping: answering the requests in flight.");
                using var drain = new CancellationTokenSource(DrainTimeout);
                await server.StopAsync(drain.Token).ConfigureAwait(false);
            }
        }
        return Stopped;
    }

    // The server's warnings and errors (and FedDistill's information) on standard error, one line
    // each, so that standard output holds only what the command itself says.
    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.AddSimpleConsole(console => console.SingleLine = true);
        logging.AddFilter((category, level) => level >= category switch
        {
            _ when category?.StartsWith("FedDistill", StringComparison.Ordinal) == true => LogLevel.Information,
            // A failed start (a port in use) is the command's to report, once, without a stack trace.
            "Microsoft.Extensions.Hosting.Internal.Host" => LogLevel.Critical,
            _ => LogLevel.Warning,
        });
    }

    // Out-of-range values become a TimeSpan that validation refuses with the option's name, not an overflow.
    private static TimeSpan Milliseconds(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 1e12 ? TimeSpan.FromMilliseconds(value) : TimeSpan.MaxValue;

    private static string ForConsole(string problem)
    {
        foreach (var (setting, option) in OptionNames)
            if (problem.StartsWith(setting, StringComparison.Ordinal)) return option + problem[setting.Length..];
        return problem;
    }

    private static int Usage(TextWriter error, IEnumerable<string> problems)
    {
        foreach (var problem in problems) error.WriteLine($"feddistill serve: {problem}");
        error.WriteLine("See 'feddistill serve --help'.");
        return InvalidUsage;
    }
}
