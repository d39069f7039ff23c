using System.Globalization;

namespace FedDistill.Bench;

public sealed record BenchOptions(int Threads, double Seconds, int Rounds, string? Output)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(Environment.ProcessorCount, 3.0, 3, "docs/benchmarks.md");
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--threads" => options with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--output" => options with { Output = Next() },
                "--no-output" => options with { Output = null },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Options: --threads N --seconds S --rounds R --output FILE --no-output."),
            };
        }
        if (options.Threads < 1 || options.Seconds <= 0 || options.Rounds < 1)
            throw new ArgumentException("--threads and --rounds must be at least 1 and --seconds positive.");
        return options;
    }
}
