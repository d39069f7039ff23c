using System.Text;

namespace FedDistill.Bench;

/// <summary>Rewrites one <c>## </c> section of a markdown file (docs/benchmarks.md), keeping every other section.</summary>
public static class MarkdownSection
{
    /// <summary>
    /// Replaces the section of <paramref name="path"/> that starts with <paramref name="heading"/>
    /// as its whole line (up to the next <c>## </c> heading) with <paramref name="section"/>, or appends it when there
    /// is none; a missing file is created with <paramref name="title"/>.
    /// </summary>
    /// <param name="path">The markdown file.</param>
    /// <param name="heading">The section's heading line, e.g. <c>## Serving: ...</c>.</param>
    /// <param name="section">The new section, starting with <paramref name="heading"/>.</param>
    /// <param name="title">The first line of a file that does not exist yet.</param>
    public static void Write(string path, string heading, string section, string title = "# Benchmarks")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(heading);
        ArgumentNullException.ThrowIfNull(section);
        var existing = File.Exists(path) ? File.ReadAllText(path) : title + "\n\n";
        var start = existing.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        string text;
        if (start < 0)
        {
            text = existing.TrimEnd('\n') + "\n\n" + section;
        }
        else
        {
            var next = existing.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            text = existing[..(start + 1)] + section.TrimEnd('\n') + "\n\n" + (next >= 0 ? existing[(next + 1)..] : "");
        }
        File.WriteAllText(path, text.TrimEnd('\n') + "\n");
    }

    /// <summary>Appends the targets table and the run's log as a code block: how every run's section ends.</summary>
    public static void AppendTargetsAndLog(StringBuilder text, IEnumerable<BenchTarget> targets, string log)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(log);
        text.AppendLine("Targets:");
        text.AppendLine();
        text.AppendLine("| target | measured | |");
        text.AppendLine("| --- | --- | --- |");
        foreach (var target in targets) text.AppendLine($"| {target.Target} | {target.Measured} | {(target.Met ? "met" : "**not met**")} |");
        text.AppendLine();
        text.AppendLine("Log of the run:");
        text.AppendLine();
        text.AppendLine("```");
        text.Append(log);
        text.AppendLine("```");
    }
}
