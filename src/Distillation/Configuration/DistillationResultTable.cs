using System.Globalization;
using System.Text;
using FedDistill.Distillation.Evaluation;

namespace FedDistill.Distillation.Configuration;

/// <summary>Renders a <see cref="DistillationResult"/> as fixed-width text, the same on every machine.</summary>
internal static class DistillationResultTable
{
    private const string Missing = "-";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(DistillationResult result)
    {
        var rows = result.Teachers.Select(report => ("teacher " + report.Name, report))
            .Append(("ensemble", result.Ensemble))
            .Append(("student", result.Student))
            .ToArray();
        var nameWidth = Math.Max(5, rows.Max(row => row.Item1.Length));
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"{"Model".PadRight(nameWidth)}  {"Test accuracy",13}  {"Parameters",12}  {"Latency (ms)",12}");
        foreach (var (name, report) in rows)
        {
            var parameters = report.ParameterCount is { } count ? count.ToString("N0", Invariant) : Missing;
            var latency = report.Speed is { } speed ? speed.LatencyMilliseconds.ToString("F3", Invariant) : Missing;
            text.AppendLine(Invariant, $"{name.PadRight(nameWidth)}  {report.Accuracy.ToString("F4", Invariant),13}  {parameters,12}  {latency,12}");
        }
        text.AppendLine();
        text.Append(result.Student.ToTable());
        return text.ToString();
    }

    /// <summary>One line per report for stage messages: accuracy and, when known, parameters.</summary>
    public static string Summary(EvaluationReport report) =>
        report.ParameterCount is { } count
            ? string.Create(Invariant, $"test accuracy {report.Accuracy:F4}, {count:N0} parameters")
            : string.Create(Invariant, $"test accuracy {report.Accuracy:F4}");
}
