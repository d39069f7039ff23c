using System.Globalization;

namespace FedDistill.Bench;

/// <summary>
/// Options of the throughput verb (the default one), and the usage texts and argument checks
/// every verb shares: an unknown option, a missing value or a value that is not a number ends in
/// <see cref="BenchUsageException"/>, which Program turns into one error line, the verb's usage
/// and exit code 2.
/// </summary>
/// <param name="Threads">Intra-op thread counts to measure each side at, in order; each case reports each side's best.</param>
/// <param name="Seconds">Timed seconds per case and measurement, after warm-up.</param>
/// <param name="Rounds">Rounds; every round measures both sides at every thread count, alternating which side goes first.</param>
/// <param name="Output">Markdown file (relative to the repository root) whose throughput section is rewritten, or null.</param>
public sealed record BenchOptions(IReadOnlyList<int> Threads, double Seconds, int Rounds, string? Output)
{
    /// <summary>The verbs, in the order <see cref="GeneralUsage"/> lists them.</summary>
    public static IReadOnlyList<string> Verbs { get; } = ["throughput", "quality", "defaults", "federation", "compress", "serve", "secagg", "privacy"];

    /// <summary>Thread counts measured when --threads is not given: 1 and 2 (only 1 on a single core).</summary>
    public static IReadOnlyList<int> DefaultThreads => Environment.ProcessorCount >= 2 ? [1, 2] : [1];

    public const string ThroughputUsage = """
        Usage: ./run bench [throughput] [--threads N[,N...]] [--seconds S] [--rounds R] [--output FILE | --no-output]

        Throughput of FedDistill (TorchSharp) against the PyTorch eager reference
        (bench/reference/pytorch_reference.py) on four cases: kd_train_mlp, kd_train_cnn,
        infer_mlp, infer_cnn. Each round measures both sides at every thread count, alternating
        which side goes first; each side's result for a case is the median over the rounds at
        its best thread count. Prints one line per case:
          bench: <case> feddistill=<samples/s> pytorch=<samples/s> ratio=<r>

          --threads N[,N...]  intra-op thread counts to try on both sides (default 1,2)
          --seconds S         timed seconds per case and measurement (default 3)
          --rounds R          rounds, for the medians (default 3)
          --output FILE       markdown file whose throughput section is rewritten
                              (default docs/benchmarks.md, relative to the repository root)
          --no-output         print only
          -h, --help          this text
        """;

    public const string QualityUsage = """
        Usage: ./run bench quality [options]

        The multi-teacher distillation quality run on Fashion-MNIST (rewrites its section of
        docs/results.md, leaving the others).

          --teacher-epochs N    epochs per teacher (default 6)
          --student-epochs N    epochs per student (default 8)
          --students N          strategies distilled, besides mean-logits (default 3)
          --alpha A             Dirichlet label-skew concentration (default 0.5)
          --seed N              seed (default 1)
          --threads N           intra-op threads for everything; 0 (default) picks per model
                                (1 for dense models, all cores for convolutional ones)
          --strategies a,b      ensemble strategies to compare (default: all but pate-gnmax)
          --temperature T       distillation temperature (default 4)
          --public-copies N     augmented copies of each public image (default 3)
          --private-copies N    augmented copies of each private image (default 1)
          --output FILE         results file (default docs/results.md)
          -h, --help            this text
        """;

    public const string DefaultsUsage = """
        Usage: ./run bench defaults [options]

        FedDistill's defaults against the plain PyTorch recipe (docs/results.md). PyTorch trains a
        CNN teacher on the private pool and scripts it and an untrained smaller CNN student
        (bench/reference/defaults_reference.py); then the student is distilled on the default
        public split twice, by `feddistill distill` with a config that sets only the epochs, and by
        plain PyTorch (Adam 1e-3, constant rate, batch 128, KD at T = 4 scaled by T²). Prints
          defaults: epochs=<n> feddistill=<accuracy> pytorch=<accuracy> difference=<points>

          --epochs N          the student's epochs on both sides (default 6)
          --teacher-epochs N  the PyTorch teacher's epochs (default 2)
          --seed N            the reference's seed: teacher, initial student, batch order (default 1)
          --work DIR          folder for the models, the split and the outputs
                              (default artifacts/bench-defaults, relative to the repository root)
          --reuse-models      keep teacher.pt and student.pt from an earlier run in DIR
          --config FILE       run feddistill distill with this config instead of the new user's
          -h, --help          this text
        """;

    public const string FederationUsage = """
        Usage: ./run bench federation [--sizes N[,N...]] [--public N]

        A measured round per size on an Orleans cluster of an aggregator silo and N organization
        silos (separate processes over Azurite), after a warm-up round that trains the teachers.

          --sizes N[,N...]  federation sizes in organizations (default 1,10,50)
          --public N        public set examples (default 5000)
          -h, --help        this text
        """;

    public static string GeneralUsage => $"""
        Usage: ./run bench [throughput|quality|defaults|federation|compress|serve|secagg|privacy] [options]

        Verbs (throughput when none is given):
          throughput   FedDistill against PyTorch eager, samples/s (docs/benchmarks.md)
          quality      multi-teacher distillation quality run (docs/results.md)
          defaults     feddistill distill's defaults against the plain PyTorch recipe (docs/results.md)
          federation   federation rounds on an Orleans cluster of silo processes
          compress     the student pruned and quantized, measured in ONNX Runtime (docs/benchmarks.md)
          serve        the student server under 64 concurrent clients, batched and batch 1 (docs/benchmarks.md)
          secagg       secure summation's bytes and time against the plain upload (docs/privacy.md)
          privacy      student accuracy against ε with PATE teacher partitions (docs/privacy.md)

        `./run bench VERB --help` describes a verb's options.

        {ThroughputUsage}
        """;

    /// <summary>The usage text of <paramref name="verb"/>.</summary>
    public static string UsageOf(string verb) => verb switch
    {
        "quality" => QualityUsage,
        "defaults" => DefaultsUsage,
        "federation" => FederationUsage,
        "compress" => CompressionRun.Usage,
        "serve" => ServingLoadRun.Usage,
        "secagg" => SecureSummationRun.Usage,
        "privacy" => PrivacyRun.Usage,
        "throughput" => ThroughputUsage,
        _ => GeneralUsage,
    };

    /// <summary>True for -h and --help.</summary>
    public static bool IsHelp(string argument) => argument is "-h" or "--help";

    /// <summary>Parses the throughput verb's options.</summary>
    /// <exception cref="BenchUsageException">An option is unknown, lacks its value or has an invalid one.</exception>
    public static BenchOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions(DefaultThreads, 3.0, 3, "docs/benchmarks.md");
        var reader = new ArgumentReader("throughput", args);
        while (reader.TryNext(out var option))
        {
            options = option switch
            {
                "--threads" => options with { Threads = reader.IntList(option, minimum: 1) },
                "--seconds" => options with { Seconds = reader.PositiveDouble(option) },
                "--rounds" => options with { Rounds = reader.Int(option, minimum: 1) },
                "--output" => options with { Output = reader.Value(option) },
                "--no-output" => options with { Output = null },
                _ => throw reader.Unknown(option),
            };
        }
        return options;
    }
}

/// <summary>A command line the bench cannot run: Program prints the message and the verb's usage, then exits 2.</summary>
public sealed class BenchUsageException(string verb, string message) : Exception(message)
{
    /// <summary>The verb whose usage applies.</summary>
    public string Verb { get; } = verb;
}

/// <summary>Walks a verb's arguments, with the checks every option needs.</summary>
public sealed class ArgumentReader(string verb, string[] args)
{
    private int _next;

    /// <summary>The next option, or false at the end.</summary>
    public bool TryNext(out string option)
    {
        if (_next >= args.Length)
        {
            option = "";
            return false;
        }
        option = args[_next++];
        return true;
    }

    /// <summary>The value after <paramref name="option"/>.</summary>
    public string Value(string option)
    {
        if (_next >= args.Length || args[_next].StartsWith("--", StringComparison.Ordinal))
            throw new BenchUsageException(verb, $"{option} needs a value.");
        return args[_next++];
    }

    public int Int(string option, int minimum)
    {
        var text = Value(option);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
            throw new BenchUsageException(verb, $"{option} takes a whole number of at least {minimum}, not '{text}'.");
        return value;
    }

    public ulong UnsignedLong(string option)
    {
        var text = Value(option);
        if (!ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new BenchUsageException(verb, $"{option} takes a non-negative whole number, not '{text}'.");
        return value;
    }

    public double PositiveDouble(string option)
    {
        var text = Value(option);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || double.IsInfinity(value))
            throw new BenchUsageException(verb, $"{option} takes a positive number, not '{text}'.");
        return value;
    }

    public IReadOnlyList<int> IntList(string option, int minimum)
    {
        var text = Value(option);
        var values = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < minimum)
                throw new BenchUsageException(verb, $"{option} takes whole numbers of at least {minimum}, separated by commas, not '{text}'.");
            if (!values.Contains(value)) values.Add(value);
        }
        return values;
    }

    public BenchUsageException Unknown(string option) =>
        new(verb, option.StartsWith('-') ? $"Unknown option '{option}'." : $"Unexpected argument '{option}'.");
}
