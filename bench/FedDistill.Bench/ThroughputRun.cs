using FedDistill.Distillation.Compute;
using System.Globalization;

namespace FedDistill.Bench;

/// <summary>
/// The throughput verb: FedDistill's cases (<see cref="BindingCases"/>) and the PyTorch eager
/// reference, each at every requested thread count, rounds alternating which side goes first.
/// Each side's figure for a case is its median over the rounds at its own best thread count.
/// </summary>
public static class ThroughputRun
{
    /// <summary>One case's medians per thread count, both sides, and each side's best.</summary>
    public sealed record Row(string Case, IReadOnlyDictionary<int, double> Ours, IReadOnlyDictionary<int, double> Reference, int PolicyThreads)
    {
        public int OursThreads => Ours.MaxBy(pair => pair.Value).Key;
        public int ReferenceThreads => Reference.MaxBy(pair => pair.Value).Key;
        public double OursBest => Ours[OursThreads];
        public double ReferenceBest => Reference[ReferenceThreads];
        public double Ratio => OursBest / ReferenceBest;
    }

    public static int Run(BenchOptions options, string root)
    {
        ArgumentNullException.ThrowIfNull(options);
        var invariant = CultureInfo.InvariantCulture;
        var ours = new Dictionary<(string Case, int Threads), List<double>>();
        var reference = new Dictionary<(string Case, int Threads), List<double>>();
        var names = new List<string>();
        var policy = new Dictionary<string, int>();
        PyTorchReference.Result? referenceInfo = null;
        var availableThreads = options.Threads.Max();

        void MeasureOurs(int round, int threads)
        {
            // The count applies to this thread, where the cases run (see IntraOpThreads).
            using var intraOp = IntraOpThreads.Use(threads);
            foreach (var (benchCase, resources) in BindingCases.Create(availableThreads))
            {
                using (resources)
                {
                    var value = benchCase.Measure(options.Seconds);
                    Add(ours, (benchCase.Name, threads), value);
                    if (!names.Contains(benchCase.Name)) names.Add(benchCase.Name);
                    policy[benchCase.Name] = benchCase.PolicyThreads;
                    Console.Error.WriteLine(string.Create(invariant, $"round {round}: feddistill {benchCase.Name} threads={threads} {value:F0} samples/s"));
                }
            }
        }

        void MeasureReference(int round, int threads)
        {
            var result = PyTorchReference.Run(root, threads, options.Seconds);
            if (referenceInfo is null)
            {
                referenceInfo = result;
                Console.Error.WriteLine($"pytorch reference: torch {result.TorchVersion}, BLAS {result.BlasDescription}");
                if (result.IsReferenceBlas)
                {
                    Console.Error.WriteLine("bench: warning: the PyTorch reference runs on the netlib reference BLAS (Debian's libblas3), whose matrix products are");
                    Console.Error.WriteLine("  several times slower than an optimized BLAS: the MLP ratios then measure that BLAS, not FedDistill. Install an");
                    Console.Error.WriteLine("  optimized one for python3-torch (apt-get install libopenblas0-pthread; python3-torch recommends libopenblas0).");
                }
            }
            foreach (var (name, value) in result.Cases)
            {
                Add(reference, (name, threads), value);
                Console.Error.WriteLine(string.Create(invariant, $"round {round}: pytorch {name} threads={threads} {value:F0} samples/s"));
            }
        }

        var turn = 0;
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var threads in options.Threads)
            {
                // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
                if (turn++ % 2 == 0)
                {
                    MeasureOurs(round, threads);
                    MeasureReference(round, threads);
                }
                else
                {
                    MeasureReference(round, threads);
                    MeasureOurs(round, threads);
                }
            }
        }

        var rows = new List<Row>();
        foreach (var name in names)
        {
            var mine = options.Threads.ToDictionary(t => t, t => Statistics.Median(ours[(name, t)]));
            var theirs = options.Threads.Where(t => reference.ContainsKey((name, t))).ToDictionary(t => t, t => Statistics.Median(reference[(name, t)]));
            if (theirs.Count == 0) throw new InvalidOperationException($"The PyTorch reference reported no '{name}' case.");
            rows.Add(new Row(name, mine, theirs, policy[name]));
        }
        foreach (var row in rows)
        {
            Console.WriteLine(string.Create(invariant,
                $"bench: {row.Case} feddistill={row.OursBest:F0} pytorch={row.ReferenceBest:F0} ratio={row.Ratio:F2}"));
        }
        // Which thread count won where, and whether the thread policy would have picked it.
        foreach (var row in rows)
        {
            Console.Error.WriteLine(string.Create(invariant,
                $"threads: {row.Case} feddistill {Describe(row.Ours)} best {row.OursThreads} (policy {row.PolicyThreads}); pytorch {Describe(row.Reference)} best {row.ReferenceThreads}"));
        }
        if (options.Output is not null) BenchReport.Write(Path.Combine(root, options.Output), options, rows, referenceInfo!);
        return 0;
    }

    private static string Describe(IReadOnlyDictionary<int, double> byThreads) =>
        string.Join(" ", byThreads.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}:{pair.Value:F0}")));

    private static void Add(Dictionary<(string, int), List<double>> values, (string, int) key, double value)
    {
        if (!values.TryGetValue(key, out var list)) values[key] = list = new List<double>();
        list.Add(value);
    }
}
