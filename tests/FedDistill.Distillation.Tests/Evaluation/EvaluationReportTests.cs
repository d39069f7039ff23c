using FedDistill.Distillation.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Evaluation;

public sealed class EvaluationReportTests
{
    private static EvaluationReport SampleReport()
    {
        using var scope = torch.NewDisposeScope();
        // Two examples, two classes: [ln 3, 0] labelled 0 (right at 0.75) and [0, 0] labelled 1 (wrong at 0.5).
        var logits = torch.tensor(new[] { MathF.Log(3), 0, 0, 0 }, new long[] { 2, 2 });
        var report = new ModelEvaluator(new EvaluationOptions { MeasureSpeed = false })
            .FromLogits("student", logits, [0, 1], ["cat", "dog"], ensembleLogits: logits);
        report = report with { ParameterCount = 272_474, SizeOnDiskBytes = 1_106_912, Speed = new SpeedMeasurement(0.125, 2048.5, 50, 256, "cpu", 4) };
        var teacher = report with { Name = "resnet20-teacher", ParameterCount = 2_724_740, Accuracy = 0.75, Speed = new SpeedMeasurement(0.5, 512.125, 50, 256, "cpu", 4) };
        return report with { Comparisons = ModelEvaluator.Compare(report, [teacher]) };
    }

    [Fact]
    public void Json_uses_camel_case_names()
    {
        var json = SampleReport().ToJson();
        Assert.Contains("\"expectedCalibrationError\":", json);
        Assert.Contains("\"confusionMatrix\":", json);
        Assert.Contains("\"perClass\":", json);
        Assert.Contains("\"latencyMilliseconds\": 0.125", json);
        Assert.Contains("\"compressionRatio\": 10", json);
    }

    [Fact]
    public void Json_round_trips_every_field()
    {
        var original = SampleReport();
        var copy = EvaluationReport.FromJson(original.ToJson());

        Assert.Equal(original.ToJson(), copy.ToJson());
        Assert.Equal(original.Accuracy, copy.Accuracy);
        Assert.Equal(original.ExpectedCalibrationError, copy.ExpectedCalibrationError);
        Assert.Equal(original.ConfusionMatrix, copy.ConfusionMatrix);
        Assert.Equal(original.PerClass, copy.PerClass);
        Assert.Equal(original.CalibrationBins, copy.CalibrationBins);
        Assert.Equal(original.EnsembleAgreement, copy.EnsembleAgreement);
        Assert.Equal(original.Speed, copy.Speed);
        Assert.Equal(original.Comparisons, copy.Comparisons);
        Assert.Equal((original.ParameterCount, original.SizeOnDiskBytes), (copy.ParameterCount, copy.SizeOnDiskBytes));
    }

    [Fact]
    public void Json_without_measurements_round_trips_the_nulls()
    {
        var original = SampleReport() with { ParameterCount = null, SizeOnDiskBytes = null, Speed = null, EnsembleAgreement = null, Comparisons = [] };
        var copy = EvaluationReport.FromJson(original.ToJson());
        Assert.Null(copy.Speed);
        Assert.Null(copy.ParameterCount);
        Assert.Null(copy.EnsembleAgreement);
        Assert.Empty(copy.Comparisons);
    }

    [Fact]
    public void Table_shows_the_numbers_of_the_report()
    {
        var table = SampleReport().ToTable();

        Assert.Contains("Model student: 2 examples, 2 classes", table);
        Assert.Contains("Accuracy                    0.5000", table);
        Assert.Contains("Top-2 accuracy              1.0000", table);
        // ECE: bin (11/15, 12/15] holds the right 0.75 (gap 0.25), bin (7/15, 8/15] the wrong 0.5 (gap 0.5); each weighs 1/2.
        Assert.Contains("Expected calibration error  0.3750 (15 bins)", table);
        Assert.Contains("Ensemble agreement          1.0000", table);
        Assert.Contains("Parameters                  272,474", table);
        Assert.Contains("Size on disk                1,106,912 bytes", table);
        Assert.Contains("0.125 ms (cpu, 4 threads)", table);
        Assert.Contains("2048.5 samples/s", table);
        Assert.Contains("      1  dog          1         0    0.0000", table);
        Assert.Contains("resnet20-teacher", table);
        Assert.Contains("10.00x", table);
        Assert.Contains("4.00x", table);
        Assert.Contains("-0.2500", table);
    }

    [Fact]
    public void Table_lays_out_the_confusion_matrix_by_true_class()
    {
        var lines = SampleReport().ToTable().Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var header = lines.IndexOf("Confusion matrix (rows: true class, columns: predicted class)");
        Assert.Equal("  true\\pred  0  1", lines[header + 1]);
        Assert.Equal("  0          1  0", lines[header + 2]);
        Assert.Equal("  1          1  0", lines[header + 3]);
    }
}
