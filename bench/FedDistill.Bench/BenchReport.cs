using System.Globalization;
using System.Text;

namespace FedDistill.Bench;

/// <summary>Writes docs/benchmarks.md: the table, the machine and the command that produced it.</summary>
public static class BenchReport
{
    public static void Write(string path, BenchOptions options, IReadOnlyList<(string Case, double Ours, double Reference)> lines)
    {
        var invariant = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("## Foundation: binding overhead against PyTorch eager on the same libtorch");
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Command: `./run bench --threads {options.Threads} --seconds {options.Seconds} --rounds {options.Rounds}`"));
        text.AppendLine();
        text.AppendLine(string.Create(invariant, $"Machine: {CpuModel()}, {Environment.ProcessorCount} cores; libtorch {FedDistill.Torch.Torch.Version} (Debian), {options.Threads} intra-op threads for both; {DateTime.UtcNow:yyyy-MM-dd}."));
        text.AppendLine();
        text.AppendLine("Models: MLP 784-256-128-10; CNN conv16-pool-conv32-pool-fc128-fc10 on 1×28×28. KD step at batch 256:");
        text.AppendLine("forward, KD loss (T = 4, α = 0.9, KL batchmean · T² + cross entropy), backward, Adam step.");
        text.AppendLine("Inference at batch 1024 without autograd. Median of the rounds; rounds alternate between the two.");
        text.AppendLine();
        text.AppendLine("| case | FedDistill (samples/s) | PyTorch (samples/s) | ratio |");
        text.AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, ours, reference) in lines)
            text.AppendLine(string.Create(invariant, $"| {name} | {ours:F0} | {reference:F0} | {ours / reference:F2} |"));
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        // Other sections of the file (written by other benchmarks) are kept after this one.
        var marker = "\n## ";
        var rest = existing.IndexOf(marker + "Foundation", StringComparison.Ordinal) is var start and >= 0
            ? existing[(existing.IndexOf(marker, start + 1, StringComparison.Ordinal) is var next and >= 0 ? next : existing.Length)..]
            : "";
        File.WriteAllText(path, text.ToString() + rest);
        Console.Error.WriteLine($"wrote {path}");
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
