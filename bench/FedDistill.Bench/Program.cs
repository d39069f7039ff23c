using System.Globalization;
using FedDistill.Bench;

// ./run bench [throughput] [--threads N] [--seconds S] [--rounds R] [--output FILE]
//   Measures FedDistill and the PyTorch eager reference in the same run, alternating rounds so
//   both see the same machine state, and reports the median of each as a ratio.
// ./run bench quality [options]: the multi-teacher distillation quality run (docs/results.md).
// ./run bench federation [--sizes 1,10,50] [--public N]: rounds over HTTP/2 + mutual TLS against a real aggregator silo.
if (args.Length > 0 && args[0] == "quality") return QualityRun.Run(args[1..]);
if (args.Length > 0 && args[0] == "federation") return await FederationRounds.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "throughput") args = args[1..];
var options = BenchOptions.Parse(args);
var root = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT") ?? Directory.GetCurrentDirectory();
FedDistill.Torch.Torch.Threads = options.Threads;

var ours = new Dictionary<string, List<double>>();
var reference = new Dictionary<string, List<double>>();
for (var round = 1; round <= options.Rounds; round++)
{
    foreach (var (benchCase, resources) in BindingCases.Create())
    {
        using (resources)
        {
            var value = benchCase.Measure(options.Seconds);
            (ours.TryGetValue(benchCase.Name, out var list) ? list : ours[benchCase.Name] = new()).Add(value);
            Console.Error.WriteLine($"round {round}: feddistill {benchCase.Name} {value:F0} samples/s");
        }
    }
    foreach (var (name, value) in PyTorchReference.Run(root, options.Threads, options.Seconds))
    {
        (reference.TryGetValue(name, out var list) ? list : reference[name] = new()).Add(value);
        Console.Error.WriteLine($"round {round}: pytorch {name} {value:F0} samples/s");
    }
}

var lines = new List<(string Case, double Ours, double Reference)>();
foreach (var (name, values) in ours)
{
    var mine = Median(values);
    var theirs = Median(reference[name]);
    lines.Add((name, mine, theirs));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: {name} feddistill={mine:F0} pytorch={theirs:F0} ratio={mine / theirs:F2}"));
}
if (options.Output is not null) BenchReport.Write(Path.Combine(root, options.Output), options, lines);
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
