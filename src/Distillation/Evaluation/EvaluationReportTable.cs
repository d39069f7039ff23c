using System.Globalization;
using System.Text;

namespace FedDistill.Distillation.Evaluation;

/// <summary>Renders an <see cref="EvaluationReport"/> as fixed-width text, the same on every machine.</summary>
internal static class EvaluationReportTable
{
    private const string Missing = "-";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Render(EvaluationReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"Model {report.Name}: {report.ExampleCount} examples, {report.ClassCount} classes");
        var summary = new List<(string Label, string Value)>
        {
            ("Accuracy", Fraction(report.Accuracy)),
            ($"Top-{report.TopK} accuracy", Fraction(report.TopKAccuracy)),
            ("Expected calibration error", $"{Fraction(report.ExpectedCalibrationError)} ({report.CalibrationBins.Count} bins)"),
        };
        if (report.EnsembleAgreement is { } agreement)
        {
            summary.Add(("Ensemble agreement", Fraction(agreement.AgreementRate)));
            summary.Add(("Mean KL(ensemble || model)", Fraction(agreement.MeanKlDivergence)));
        }
        summary.Add(("Parameters", report.ParameterCount is { } parameters ? parameters.ToString("N0", Invariant) : Missing));
        summary.Add(("Size on disk", report.SizeOnDiskBytes is { } bytes ? $"{bytes.ToString("N0", Invariant)} bytes" : Missing));
        if (report.Speed is { } speed)
        {
            summary.Add(("Latency, batch 1", $"{speed.LatencyMilliseconds.ToString("F3", Invariant)} ms ({speed.Device}, {speed.Threads} threads)"));
            summary.Add(($"Throughput, batch {speed.ThroughputBatchSize}", $"{speed.ThroughputSamplesPerSecond.ToString("F1", Invariant)} samples/s"));
        }
        var labelWidth = summary.Max(row => row.Label.Length);
        foreach (var (label, value) in summary) text.AppendLine(Invariant, $"  {label.PadRight(labelWidth)}  {value}");

        text.AppendLine().AppendLine("Per-class accuracy");
        var nameWidth = Math.Max(4, report.PerClass.Select(row => (row.Name ?? Missing).Length).DefaultIfEmpty(0).Max());
        text.AppendLine(Invariant, $"  {"Class",5}  {"Name".PadRight(nameWidth)}  {"Support",8}  {"Correct",8}  {"Accuracy",8}");
        foreach (var row in report.PerClass)
        {
            var accuracy = row.Accuracy is { } value ? Fraction(value) : Missing;
            text.AppendLine(Invariant, $"  {row.Class,5}  {(row.Name ?? Missing).PadRight(nameWidth)}  {row.Support,8}  {row.Correct,8}  {accuracy,8}");
        }

        text.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted class)");
        var cellWidth = Math.Max(report.ClassCount - 1, report.ConfusionMatrix.SelectMany(row => row).DefaultIfEmpty(0).Max())
            .ToString(Invariant).Length + 2;
        text.Append("  true\\pred");
        for (var column = 0; column < report.ClassCount; column++) text.Append(column.ToString(Invariant).PadLeft(cellWidth));
        text.AppendLine();
        for (var row = 0; row < report.ConfusionMatrix.Length; row++)
        {
            text.Append("  ").Append(row.ToString(Invariant).PadRight(9));
            foreach (var count in report.ConfusionMatrix[row]) text.Append(count.ToString(Invariant).PadLeft(cellWidth));
            text.AppendLine();
        }

        if (report.Comparisons.Count > 0)
        {
            text.AppendLine().AppendLine("Against teachers");
            var teacherWidth = Math.Max(7, report.Comparisons.Max(row => row.Teacher.Length));
            text.AppendLine(Invariant, $"  {"Teacher".PadRight(teacherWidth)}  {"Compression",11}  {"Latency speed-up",16}  {"Throughput ratio",16}  {"Accuracy difference",19}");
            foreach (var row in report.Comparisons)
            {
                text.AppendLine(Invariant,
                    $"  {row.Teacher.PadRight(teacherWidth)}  {Ratio(row.CompressionRatio),11}  {Ratio(row.LatencySpeedup),16}  {Ratio(row.ThroughputRatio),16}  {row.AccuracyDifference.ToString("+0.0000;-0.0000;0.0000", Invariant),19}");
            }
        }
        return text.ToString();
    }

    private static string Fraction(double value) => value.ToString("F4", Invariant);

    private static string Ratio(double? value) => value is { } ratio ? ratio.ToString("F2", Invariant) + "x" : Missing;
}
