using System.Globalization;
using System.Text;
using TorchSharp;

namespace FedDistill.Bench;

/// <summary>
/// Writes the throughput section of docs/benchmarks.md: the table, the machine and the command
/// that produced it. The rest of the file (the profile notes, the federation section) is kept.
/// </summary>
public static class BenchReport
{
    /// <summary>The section's heading; an older "Foundation" section is replaced by it too.</summary>
    public const string Heading = "## Throughput: FedDistill on TorchSharp against PyTorch eager";

    public static void Write(string path, BenchOptions options, IReadOnlyList<ThroughputRun.Row> rows, PyTorchReference.Result reference)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(reference);
        var invariant = CultureInfo.InvariantCulture;
        var threads = string.Join(",", options.Threads.Select(t => t.ToString(invariant)));
        var threadWords = options.Threads.Count == 1 ? $"{threads} intra-op thread(s)" : $"{string.Join(" and ", options.Threads)} intra-op threads";
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Command: `./run bench --threads {threads} --seconds {options.Seconds} --rounds {options.Rounds}`"));
        text.AppendLine();
        text.AppendLine(string.Create(invariant,
            $"Machine: {Machine.CpuModel()}, {Environment.ProcessorCount} cores; {DateTime.UtcNow:yyyy-MM-dd}. FedDistill: TorchSharp {TorchSharpVersion()} on its libtorch {LibTorchVersion()} (oneMKL, oneDNN). Reference: PyTorch {reference.TorchVersion} (Debian python3-torch) with {reference.BlasDescription}."));
        text.AppendLine();
        text.AppendLine("Models: MLP 784-256-128-10; CNN conv16-pool-conv32-pool-fc128-fc10 on 1×28×28. KD step at batch 256:");
        text.AppendLine("forward, KD loss (T = 4, α = 0.9, KL batchmean · T² + cross entropy), zero_grad, backward, Adam step.");
        text.AppendLine("Inference at batch 1024 without autograd. Each side runs at " + threadWords + " (for the reference");
        text.AppendLine("OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS are set to the same count); a figure is the");
        text.AppendLine("median of the rounds at that side's best thread count. Rounds alternate which side goes first.");
        text.AppendLine();
        text.AppendLine("| case | FedDistill (samples/s) | threads | PyTorch (samples/s) | threads | ratio |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
            text.AppendLine(string.Create(invariant, $"| {row.Case} | {row.OursBest:F0} | {row.OursThreads} | {row.ReferenceBest:F0} | {row.ReferenceThreads} | {row.Ratio:F2} |"));
        text.AppendLine();
        text.AppendLine("Medians per thread count (samples/s), and the count `IntraOpThreads.For` picks for the case's model:");
        text.AppendLine();
        var header = new StringBuilder("| case |");
        var rule = new StringBuilder("| --- |");
        foreach (var t in options.Threads)
        {
            header.Append(string.Create(invariant, $" FedDistill, {t} |"));
            rule.Append(" ---: |");
        }
        foreach (var t in options.Threads)
        {
            header.Append(string.Create(invariant, $" PyTorch, {t} |"));
            rule.Append(" ---: |");
        }
        text.AppendLine(header.Append(" policy |").ToString());
        text.AppendLine(rule.Append(" ---: |").ToString());
        foreach (var row in rows)
        {
            var line = new StringBuilder($"| {row.Case} |");
            foreach (var t in options.Threads) line.Append(string.Create(invariant, $" {row.Ours[t]:F0} |"));
            foreach (var t in options.Threads) line.Append(row.Reference.TryGetValue(t, out var value) ? string.Create(invariant, $" {value:F0} |") : " |");
            line.Append(string.Create(invariant, $" {row.PolicyThreads} |"));
            text.AppendLine(line.ToString());
        }
        text.AppendLine();

        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var (before, after) = Split(existing);
        File.WriteAllText(path, before + text + after);
        Console.Error.WriteLine($"wrote {path}");
    }

    /// <summary>The file around the throughput section: what precedes it (at least the title) and the sections after it.</summary>
    private static (string Before, string After) Split(string existing)
    {
        var start = -1;
        foreach (var title in new[] { "\n## Throughput", "\n## Foundation" })
        {
            start = existing.IndexOf(title, StringComparison.Ordinal);
            if (start >= 0) break;
        }
        if (start >= 0)
        {
            var next = existing.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            return (existing[..(start + 1)], next >= 0 ? existing[(next + 1)..] : "");
        }
        if (existing.StartsWith("# ", StringComparison.Ordinal))
        {
            var titleEnd = existing.IndexOf('\n');
            var rest = titleEnd >= 0 ? existing[(titleEnd + 1)..].TrimStart('\n') : "";
            return (existing[..(titleEnd >= 0 ? titleEnd : existing.Length)] + "\n\n", rest);
        }
        return ("# Benchmarks\n\n", existing);
    }

    private static string TorchSharpVersion()
    {
        var version = typeof(torch).Assembly.GetName().Version;
        return version is null ? "?" : $"{version.Major}.{version.Minor}.{version.Build}";
    }

    // torch.__version__ reads "2.10.0.0" here; three parts, as libtorch names its releases.
    private static string LibTorchVersion() => string.Join('.', torch.__version__.Split('.').Take(3));
}
