using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Models;
using FedDistill.Serving;
using FedDistill.Serving.Batching;
using FedDistill.Serving.Hosting;
using FedDistill.Serving.Students;
using TorchSharp;

namespace FedDistill.Bench;

/// <summary>
/// <c>./run bench serve</c>: the student server under load. Starts <see cref="StudentServer"/> (what
/// <c>feddistill serve</c> runs) on 127.0.0.1 with a small-CNN student and drives it with
/// concurrent keep-alive HTTP/1.1 clients on loopback, each sending one Fashion-MNIST test image per request and
/// waiting for the answer before the next, for a bounded number of requests and time. Measured
/// twice in the same run, alternating: with dynamic batching, and with batches of one example (the
/// reference). Reports throughput, client-side p50 and p99 latency and the ratio, and where the
/// time goes: the student's share of the wall time, its time per example, the mean batch and the
/// cores the process used.
/// </summary>
/// <remarks>
/// Clients and server share the process and its cores, as they share the machine on loopback
/// anyway. The clients are <see cref="RawHttpLoad"/>: a thread, a socket and prepared request bytes
/// each, whose CPU time is measured apart, so the report says how much of the process's CPU the load
/// generator itself took. Requests are binary (float32) by default, JSON with <c>--format json</c>.
/// The student's weights are freshly initialized unless <c>--student</c> names a file:
/// the work of a forward pass does not depend on the values.
/// </remarks>
public static class ServingLoadRun
{
    /// <summary>The heading of the section a run with <paramref name="settings"/> writes into its output file: one section per student served.</summary>
    public static string Heading(Settings settings) => (settings.Student is { } student
        ? $"## Serving under load: {student}"
        : "## Serving under load: the small-CNN student in TorchSharp") + (settings.Format == JsonFormat ? ", JSON requests" : "");

    public const string Usage = """
        Usage: ./run bench serve [options]

        Starts the student server (StudentServer, as `feddistill serve` runs it) on 127.0.0.1 with a
        small-CNN student and drives it with concurrent HTTP clients on loopback, one Fashion-MNIST
        test image per request: with dynamic batching, with batches of one example (the reference),
        and with a student that returns zero logits at once (what HTTP and JSON alone allow),
        alternating in each round. Prints throughput, p50 and p99 latency of each, the ratio of
        batching to batch 1, and where the time goes. Writes a section of docs/benchmarks.md.

          --clients N          concurrent clients, each waiting for its answer (default 64)
          --requests N         most requests per measurement (default 20000)
          --seconds S          most timed seconds per measurement (default 10)
          --warmup-seconds S   untimed load before each measurement (default 2)
          --max-batch N        batching's most examples per batch (default 64)
          --max-wait-ms MS     batching's longest wait for a batch to fill (default 2)
          --threads N          the student's intra-op threads, libtorch or ONNX Runtime (default 1)
          --rounds R           rounds, each measuring both modes, for the medians (default 3)
          --format F           request body: binary (application/octet-stream, float32
                               little-endian, 3,136 bytes per image) or json (about 9 KB)
                               (default binary)
          --student PATH       a student.safetensors (model.json beside it) or .onnx file to serve
                               (default: a freshly initialized small CNN 16-32-128)
          --seed N             seed of the fresh student (default 1)
          --output FILE        markdown file whose serving section is rewritten
                               (default docs/benchmarks.md, relative to the repository root)
          --no-output          print only
          -h, --help           this text
        """;

    private const int DistinctBodies = 256;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The run's settings, one per option.</summary>
    public sealed record Settings(int Clients = 64, int Requests = 20_000, double Seconds = 10, double WarmupSeconds = 2, int MaxBatch = 64, double MaxWaitMilliseconds = 2,
        int Threads = 1, int Rounds = 3, string? Student = null, ulong Seed = 1, string? Output = "docs/benchmarks.md", string Format = BinaryFormat);

    /// <summary>The <c>--format</c> of binary request bodies (float32 little-endian).</summary>
    public const string BinaryFormat = "binary";

    /// <summary>The <c>--format</c> of JSON request bodies.</summary>
    public const string JsonFormat = "json";

    /// <summary>How the server batches (the measured configuration or the batch-1 reference), and whether it serves the student or <see cref="ZeroStudentModel"/>.</summary>
    public sealed record Mode(string Name, int MaxBatch, TimeSpan MaxWait, bool ZeroStudent = false);

    /// <summary>One measurement of one mode.</summary>
    /// <param name="Throughput">Answered requests (one example each) per second.</param>
    /// <param name="Answered">Requests answered with 200.</param>
    /// <param name="Failed">Requests answered otherwise.</param>
    /// <param name="Seconds">Wall time of the measurement.</param>
    /// <param name="P50">Client-side latency, median, in milliseconds.</param>
    /// <param name="P99">Client-side latency, 99th percentile, in milliseconds.</param>
    /// <param name="MeanBatch">Examples per batch the student ran.</param>
    /// <param name="ModelShare">The student's time as a share of the wall time.</param>
    /// <param name="ModelMicroseconds">The student's time per example, in microseconds.</param>
    /// <param name="Cores">The process's CPU time over the wall time: the cores it kept busy, server and load clients together.</param>
    /// <param name="ClientCores">The load clients' threads' CPU time over the wall time: the load generator's part of <paramref name="Cores"/>.</param>
    public sealed record Measurement(double Throughput, int Answered, int Failed, double Seconds, double P50, double P99, double MeanBatch, double ModelShare, double ModelMicroseconds,
        double Cores, double ClientCores);

    /// <summary>Runs the serving benchmark; <paramref name="root"/> is the repository root the paths are relative to.</summary>
    /// <exception cref="BenchUsageException">The command line is invalid.</exception>
    public static async Task<int> RunAsync(string[] args, string root)
    {
        var settings = Parse(args);
        var total = Stopwatch.StartNew();
        // The default for every thread that has not run a parallel operation yet: the batch loop's too.
        torch.set_num_threads(settings.Threads);
        var log = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            log.AppendLine(line);
        }

        var studentPath = settings.Student is { } given ? Path.GetFullPath(Path.Combine(root, given)) : WriteFreshStudent(Path.Combine(root, "artifacts", "serving", "student"), settings.Seed);
        var model = Load(studentPath, settings.Threads);
        using var owned = (IDisposable)model;
        var bodies = RequestBodies(model, settings.Format);
        Say(string.Create(Invariant,
            $"student: {Path.GetRelativePath(root, studentPath)}, examples [{string.Join(", ", model.ExampleShape)}], {model.Classes} classes, {settings.Threads} intra-op thread(s); {bodies.Count} distinct {settings.Format} request bodies of one test image, {bodies.Average(body => body.Length):F0} bytes each; load average {Machine.LoadAverage()}"));

        Mode[] modes =
        [
            new("dynamic batching", settings.MaxBatch, TimeSpan.FromMilliseconds(settings.MaxWaitMilliseconds)),
            new("batch 1", 1, TimeSpan.Zero),
            new("no forward pass (zero logits), batched", settings.MaxBatch, TimeSpan.FromMilliseconds(settings.MaxWaitMilliseconds), ZeroStudent: true),
        ];
        var measurements = modes.ToDictionary(mode => mode, _ => new List<Measurement>());
        for (var round = 1; round <= settings.Rounds; round++)
        {
            // Alternate which mode goes first, so a busy spell of the machine does not always hit the same one.
            foreach (var mode in round % 2 == 1 ? modes : modes.AsEnumerable().Reverse())
            {
                var measurement = await MeasureAsync(model, mode, bodies, settings, CancellationToken.None);
                measurements[mode].Add(measurement);
                Say(string.Create(Invariant,
                    $"round {round}: {mode.Name} (max batch {mode.MaxBatch}, max wait {mode.MaxWait.TotalMilliseconds} ms): {measurement.Answered} answered, {measurement.Failed} failed in {measurement.Seconds:F1} s; {measurement.Throughput:F0} requests/s, p50 {measurement.P50:F2} ms, p99 {measurement.P99:F2} ms; mean batch {measurement.MeanBatch:F1}, student {measurement.ModelShare:P0} of the time at {measurement.ModelMicroseconds:F0} µs per example, {measurement.Cores:F2} cores busy ({measurement.ClientCores:F2} of them the load clients)"));
            }
        }

        Say($"load average after the rounds: {Machine.LoadAverage()}");
        var batched = Summarize(measurements[modes[0]]);
        var single = Summarize(measurements[modes[1]]);
        var ceiling = Summarize(measurements[modes[2]]);
        var ratio = batched.Throughput / single.Throughput;
        var targets = new List<BenchTarget>
        {
            new(string.Create(Invariant, $"dynamic batching at least 5× the throughput of batch 1 with {settings.Clients} clients"), string.Create(Invariant, $"{ratio:F2}×"), ratio >= 5),
            new("dynamic batching p99 under 50 ms", string.Create(Invariant, $"{batched.P99:F2} ms"), batched.P99 < 50),
        };
        Say(string.Create(Invariant, $"result: dynamic batching {batched.Throughput:F0} requests/s, p50 {batched.P50:F2} ms, p99 {batched.P99:F2} ms"));
        Say(string.Create(Invariant, $"result: batch 1 {single.Throughput:F0} requests/s, p50 {single.P50:F2} ms, p99 {single.P99:F2} ms"));
        Say(string.Create(Invariant, $"result: no forward pass {ceiling.Throughput:F0} requests/s, p50 {ceiling.P50:F2} ms, p99 {ceiling.P99:F2} ms (HTTP, the request format and batching alone)"));
        Say(string.Create(Invariant, $"result: throughput ratio {ratio:F2}× (at most {ceiling.Throughput / single.Throughput:F2}× with a free forward pass)"));
        foreach (var target in targets) Say(target.ToString());

        if (settings.Output is { } output)
        {
            var path = Path.Combine(root, output);
            MarkdownSection.Write(path, Heading(settings), Section(settings, modes, [batched, single, ceiling], ratio, targets, total.Elapsed, log.ToString()));
            Console.Error.WriteLine($"wrote {path}");
        }
        return 0;
    }

    /// <summary>Serves <paramref name="model"/> in <paramref name="mode"/> and measures it under load after a warm-up.</summary>
    private static async Task<Measurement> MeasureAsync(IStudentModel model, Mode mode, IReadOnlyList<byte[]> bodies, Settings settings, CancellationToken cancellationToken)
    {
        var timed = new TimedStudentModel(mode.ZeroStudent ? new ZeroStudentModel(model.ExampleShape, model.Classes) : model);
        var options = new ServingOptions
        {
            Urls = "http://127.0.0.1:0",
            Batching = new BatchingOptions { MaxBatchSize = mode.MaxBatch, MaxWait = mode.MaxWait, QueueCapacity = Math.Max(1024, 4 * settings.Clients) },
        };
        await using var server = await StudentServer.StartAsync(timed, options, cancellationToken: cancellationToken);
        var contentType = settings.Format == BinaryFormat ? "application/octet-stream" : "application/json";
        var requests = bodies.Select(body => RawHttpLoad.Request(server.Address, contentType, body)).ToList();

        // The clients block on their sockets, each on a thread of its own: off the thread pool the server runs on.
        await Task.Run(() => RawHttpLoad.Drive(server.Address, requests, settings.Clients, int.MaxValue, settings.WarmupSeconds), cancellationToken);
        timed.Reset();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var load = await Task.Run(() => RawHttpLoad.Drive(server.Address, requests, settings.Clients, settings.Requests, settings.Seconds), cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cores = (process.TotalProcessorTime - cpuBefore).TotalSeconds / seconds;

        var latencies = load.Latencies;
        latencies.Sort();
        return new Measurement(latencies.Count / seconds, latencies.Count, load.Failed, seconds, Quantile(latencies, 0.5), Quantile(latencies, 0.99),
            timed.Batches == 0 ? 0 : (double)timed.Examples / timed.Batches, timed.Busy.TotalSeconds / seconds,
            timed.Examples == 0 ? 0 : timed.Busy.TotalMicroseconds / timed.Examples, cores, load.ClientCpuSeconds / seconds);
    }

    /// <summary>A small-CNN student (16-32-128) with seeded fresh weights, written as <c>feddistill distill</c> writes one; returns its state dict's path.</summary>
    private static string WriteFreshStudent(string directory, ulong seed)
    {
        Directory.CreateDirectory(directory);
        var spec = new ModelSpec { Kind = "small-cnn" };
        torch.manual_seed(unchecked((long)seed));
        using var student = ModelFactory.Create(spec, [1, 28, 28]);
        var path = Path.Combine(directory, "student.safetensors");
        ModelFiles.SaveWeights(student, path);
        ModelSpecFile.Write(spec, Path.Combine(directory, ModelSpecFile.FileName));
        return path;
    }

    /// <summary>Opens the student as <c>feddistill serve</c> does: ONNX Runtime for an .onnx file, TorchSharp for a state dict.</summary>
    private static IStudentModel Load(string path, int threads) => path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
        ? OnnxStudentModel.Load(path, threads)
        : TorchSharpStudentModel.Load(path).Student;

    /// <summary>
    /// Request bodies of one Fashion-MNIST test image each, normalized with the constants of the
    /// federation's public set (training images 50,000 to 59,999), as a student is served: the
    /// image's 784 float32 values little-endian (<paramref name="format"/> binary), or
    /// <c>{"inputs": [[...]]}</c> (json).
    /// </summary>
    private static IReadOnlyList<byte[]> RequestBodies(IStudentModel model, string format)
    {
        var length = model.ExampleShape.Aggregate(1L, (product, dimension) => product * dimension);
        var train = FashionMnist.LoadTrain();
        var normalization = GlobalNormalization.Fit(train.Subset(Enumerable.Range(50_000, 10_000).ToArray()));
        var test = normalization.Apply(FashionMnist.LoadTest().Subset(Enumerable.Range(0, DistinctBodies).ToArray()));
        if (test.FeatureLength != length)
            throw new BenchUsageException("serve", $"The student takes examples of {length} values ([{string.Join(", ", model.ExampleShape)}]); Fashion-MNIST images have {test.FeatureLength}.");
        return Enumerable.Range(0, test.Count).Select(index =>
        {
            var values = test.GetFeatures(index).ToArray();
            if (format == BinaryFormat)
            {
                var bytes = new byte[values.Length * sizeof(float)];
                for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
                return bytes;
            }
            return Encoding.UTF8.GetBytes($$"""{"inputs":[[{{string.Join(',', values.Select(value => value.ToString("R", Invariant)))}}]]}""");
        }).ToArray();
    }

    private static Measurement Summarize(IReadOnlyList<Measurement> measurements) => new(
        Statistics.Median(measurements.Select(m => m.Throughput)), (int)Statistics.Median(measurements.Select(m => (double)m.Answered)), (int)Statistics.Median(measurements.Select(m => (double)m.Failed)), Statistics.Median(measurements.Select(m => m.Seconds)),
        Statistics.Median(measurements.Select(m => m.P50)), Statistics.Median(measurements.Select(m => m.P99)), Statistics.Median(measurements.Select(m => m.MeanBatch)),
        Statistics.Median(measurements.Select(m => m.ModelShare)), Statistics.Median(measurements.Select(m => m.ModelMicroseconds)), Statistics.Median(measurements.Select(m => m.Cores)),
        Statistics.Median(measurements.Select(m => m.ClientCores)));

    private static double Quantile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Section(Settings settings, IReadOnlyList<Mode> modes, IReadOnlyList<Measurement> medians, double ratio,
        IReadOnlyList<BenchTarget> targets, TimeSpan elapsed, string log)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading(settings));
        text.AppendLine();
        var student = settings.Student is { } path ? $" --student {path}" : "";
        text.AppendLine(string.Create(Invariant,
            $"Command: `./run bench serve --clients {settings.Clients} --requests {settings.Requests} --seconds {settings.Seconds} --warmup-seconds {settings.WarmupSeconds} --max-batch {settings.MaxBatch} --max-wait-ms {settings.MaxWaitMilliseconds} --threads {settings.Threads} --rounds {settings.Rounds} --format {settings.Format}{student}` ({elapsed.TotalMinutes:F1} min on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})."));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant,
            $"Machine: {Machine.CpuModel()}. `StudentServer` (what `feddistill serve` runs) on 127.0.0.1 serving {Served(settings)} at {settings.Threads} intra-op thread(s); {settings.Clients} clients in the same process on loopback (`RawHttpLoad`: a thread and a keep-alive HTTP/1.1 connection each, blocking sockets, no HttpClient), each posting one normalized Fashion-MNIST test image ({FormatText(settings.Format)}) and waiting for the answer before the next, for at most {settings.Requests:N0} requests or {settings.Seconds} s after {settings.WarmupSeconds} s of untimed load. Latency is the client's, request sent to answer read. Each figure is the median of {settings.Rounds} round(s); each round measures every mode, alternating the order. The third mode serves `ZeroStudentModel` (zero logits, no forward pass) with the same batching: the most HTTP, the request format and the batcher allow on this machine. \"cores busy\" is the process's CPU time over the wall time; \"load clients\" is the part of it the client threads used (their own CPU clocks)."));
        text.AppendLine();
        text.AppendLine("| mode | max batch | max wait (ms) | requests/s | p50 (ms) | p99 (ms) | mean batch | student's share of wall time | student µs per example | cores busy | of them load clients |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (mode, measurement) in modes.Zip(medians))
            text.AppendLine(string.Create(Invariant,
                $"| {mode.Name} | {mode.MaxBatch} | {mode.MaxWait.TotalMilliseconds} | {measurement.Throughput:F0} | {measurement.P50:F2} | {measurement.P99:F2} | {measurement.MeanBatch:F1} | {measurement.ModelShare:P0} | {measurement.ModelMicroseconds:F0} | {measurement.Cores:F2} | {measurement.ClientCores:F2} |"));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant, $"Throughput ratio, dynamic batching over batch 1: **{ratio:F2}×**."));
        text.AppendLine();
        MarkdownSection.AppendTargetsAndLog(text, targets, log);
        return text.ToString();
    }

    private static string FormatText(string format) => format == BinaryFormat
        ? "`Content-Type: application/octet-stream`, 784 little-endian float32 values, 3,136 bytes; 40 bytes of float32 logits back"
        : "`{\"inputs\": [[784 numbers]]}`, about 9 KB of JSON; JSON logits and prediction back";

    private static string Served(Settings settings) => settings.Student switch
    {
        null => "a small-CNN student (16-32-128, freshly initialized weights: a forward pass costs the same whatever they are) through TorchSharp",
        var path when path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) => $"`{path}` through ONNX Runtime",
        var path => $"`{path}` through TorchSharp",
    };

    private static string Format(string value) => value is BinaryFormat or JsonFormat
        ? value
        : throw new BenchUsageException("serve", $"--format is '{value}'; it must be {BinaryFormat} or {JsonFormat}.");

    private static Settings Parse(string[] args)
    {
        var settings = new Settings();
        var reader = new ArgumentReader("serve", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--clients" => settings with { Clients = reader.Int(option, minimum: 1) },
                "--requests" => settings with { Requests = reader.Int(option, minimum: 1) },
                "--seconds" => settings with { Seconds = reader.PositiveDouble(option) },
                "--warmup-seconds" => settings with { WarmupSeconds = reader.PositiveDouble(option) },
                "--max-batch" => settings with { MaxBatch = reader.Int(option, minimum: 1) },
                "--max-wait-ms" => settings with { MaxWaitMilliseconds = reader.PositiveDouble(option) },
                "--threads" => settings with { Threads = reader.Int(option, minimum: 1) },
                "--rounds" => settings with { Rounds = reader.Int(option, minimum: 1) },
                "--student" => settings with { Student = reader.Value(option) },
                "--seed" => settings with { Seed = reader.UnsignedLong(option) },
                "--output" => settings with { Output = reader.Value(option) },
                "--format" => settings with { Format = Format(reader.Value(option)) },
                "--no-output" => settings with { Output = null },
                _ => throw reader.Unknown(option),
            };
        }
        return settings;
    }
}
