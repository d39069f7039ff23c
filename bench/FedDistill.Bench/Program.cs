using FedDistill.Bench;

// ./run bench [throughput] [--threads N[,N...]] [--seconds S] [--rounds R] [--output FILE]
//   Measures FedDistill and the PyTorch eager reference in the same run at each thread count,
//   alternating the two so both see the same machine state, and reports each side's median at
//   its best thread count as a ratio.
// ./run bench quality [options]: the multi-teacher distillation quality run (docs/results.md).
// ./run bench defaults [options]: `feddistill distill`'s defaults against the plain PyTorch recipe (docs/results.md).
// ./run bench federation [--sizes 1,10,50] [--public N] [--warm-up 3] [--rounds 5]: rounds on an Orleans cluster of an aggregator silo and N organization silos (medians of the measured rounds).
// ./run bench compress [options]: the small-CNN student pruned and quantized, measured in ONNX Runtime (docs/compression.md).
// ./run bench serve [options]: the student server under concurrent clients, with dynamic batching and batch 1 (docs/serving.md).
// ./run bench secagg [options]: secure summation's bytes and time against the plain upload, 3, 10 and 50 organizations (docs/privacy.md).
// ./run bench privacy [options]: student accuracy against ε with PATE teacher partitions (docs/privacy.md).
// Every verb takes --help; a bad command line prints one error line and the verb's usage and exits 2.
var verb = "throughput";
var rest = args;
if (args.Length > 0 && BenchOptions.IsHelp(args[0]))
{
    Console.WriteLine(BenchOptions.GeneralUsage);
    return 0;
}
if (args.Length > 0 && !args[0].StartsWith('-'))
{
    if (args[0] == "help")
    {
        Console.WriteLine(BenchOptions.GeneralUsage);
        return 0;
    }
    if (!BenchOptions.Verbs.Contains(args[0]))
    {
        Console.Error.WriteLine($"bench: error: unknown verb '{args[0]}'; the verbs are {string.Join(", ", BenchOptions.Verbs)}.");
        Console.Error.WriteLine();
        Console.Error.WriteLine(BenchOptions.GeneralUsage);
        return 2;
    }
    verb = args[0];
    rest = args[1..];
}
if (rest.Any(BenchOptions.IsHelp))
{
    Console.WriteLine(BenchOptions.UsageOf(verb));
    return 0;
}

try
{
    var root = Environment.GetEnvironmentVariable("FEDDISTILL_REPO_ROOT") ?? Directory.GetCurrentDirectory();
    return verb switch
    {
        "quality" => QualityRun.Run(rest),
        "defaults" => DefaultsRun.Run(rest, root),
        "federation" => await FederationRounds.RunAsync(rest),
        "compress" => CompressionRun.Run(rest, root),
        "serve" => await ServingLoadRun.RunAsync(rest, root),
        "secagg" => SecureSummationRun.Run(rest, root),
        "privacy" => PrivacyRun.Run(rest),
        _ => ThroughputRun.Run(BenchOptions.Parse(rest), root),
    };
}
catch (BenchUsageException error)
{
    Console.Error.WriteLine($"bench: error: {error.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(BenchOptions.UsageOf(error.Verb));
    return 2;
}
