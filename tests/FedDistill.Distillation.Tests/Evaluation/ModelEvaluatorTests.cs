using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Evaluation;

public sealed class ModelEvaluatorTests
{
    private static readonly EvaluationOptions NoTiming = new() { TopK = 2, MeasureSpeed = false };

    /// <summary>
    /// Five examples, three classes. Predictions: 0 ✓, 1 ✓, 1 (true 0) ✗, 2 (true 1) ✗, 0 (true 2) ✗.
    /// The label is within the top two for all but the last, where two classes score higher.
    /// </summary>
    private static readonly float[] ThreeClassLogits =
    [
        2, 1, 0,
        0, 3, 1,
        1, 2, 0,
        0, 1, 2,
        3, 2, 0,
    ];

    private static readonly int[] ThreeClassLabels = [0, 1, 0, 1, 2];

    private static readonly string[] ThreeClassNames = ["cat", "dog", "bird"];

    private static EvaluationReport Evaluate(float[] logits, int[] labels, EvaluationOptions? options = null, string[]? names = null, float[]? ensemble = null)
    {
        var classes = logits.Length / labels.Length;
        using var scope = torch.NewDisposeScope();
        var logitTensor = torch.tensor(logits, new long[] { labels.Length, classes });
        var ensembleTensor = ensemble is null ? null : torch.tensor(ensemble, new long[] { labels.Length, classes });
        return new ModelEvaluator(options ?? NoTiming).FromLogits("model", logitTensor, labels, names, ensembleTensor);
    }

    [Fact]
    public void Accuracy_top_k_and_per_class_accuracy_count_the_hand_classified_examples()
    {
        var report = Evaluate(ThreeClassLogits, ThreeClassLabels, names: ThreeClassNames);

        Assert.Equal(5, report.ExampleCount);
        Assert.Equal(3, report.ClassCount);
        Assert.Equal(0.4, report.Accuracy, 12);
        Assert.Equal(2, report.TopK);
        Assert.Equal(0.8, report.TopKAccuracy, 12);
        Assert.Equal(
            [new ClassAccuracy(0, "cat", 2, 1, 0.5), new ClassAccuracy(1, "dog", 2, 1, 0.5), new ClassAccuracy(2, "bird", 1, 0, 0.0)],
            report.PerClass);
    }

    [Fact]
    public void Confusion_matrix_rows_are_true_classes_and_columns_predictions()
    {
        var report = Evaluate(ThreeClassLogits, ThreeClassLabels);
        Assert.Equal(new[] { new[] { 1, 1, 0 }, new[] { 0, 1, 1 }, new[] { 1, 0, 0 } }, report.ConfusionMatrix);
    }

    [Fact]
    public void Top_k_is_clamped_to_the_class_count_where_every_label_is_within_it()
    {
        var report = Evaluate(ThreeClassLogits, ThreeClassLabels, new EvaluationOptions { MeasureSpeed = false });
        Assert.Equal(3, report.TopK);
        Assert.Equal(1.0, report.TopKAccuracy);
    }

    [Fact]
    public void A_class_without_test_examples_has_no_accuracy()
    {
        var report = Evaluate([1, 0, 0, 0, 1, 0], [0, 1]);
        Assert.Equal(new ClassAccuracy(2, null, 0, 0, null), report.PerClass[2]);
    }

    [Fact]
    public void Calibration_error_is_zero_when_every_prediction_is_certain_and_correct()
    {
        var report = Evaluate([100, 0, 0, 100], [0, 1]);
        Assert.Equal(0.0, report.ExpectedCalibrationError);
        Assert.Equal(15, report.CalibrationBins.Count);
        Assert.Equal(2, report.CalibrationBins[14].Count);
        Assert.Equal(1.0, report.CalibrationBins[14].MeanConfidence);
    }

    [Fact]
    public void Calibration_error_weighs_each_bins_confidence_gap_by_its_share_of_examples()
    {
        // Softmax of [ln 3, 0] is [0.75, 0.25] and of [ln 9, 0] is [0.9, 0.1].
        // Bin (11/15, 12/15]: two examples at 0.75, one right → |0.5 − 0.75| · 2/4 = 0.125.
        // Bin (13/15, 14/15]: two examples at 0.9, both right → |1 − 0.9| · 2/4 = 0.05.
        var ln3 = MathF.Log(3);
        var ln9 = MathF.Log(9);
        var report = Evaluate([ln3, 0, ln3, 0, ln9, 0, 0, ln9], [0, 1, 0, 1]);

        Assert.Equal(0.175, report.ExpectedCalibrationError, 6);
        var bin = report.CalibrationBins[11];
        Assert.Equal((11 / 15.0, 12 / 15.0, 2), (bin.Lower, bin.Upper, bin.Count));
        Assert.Equal(0.75, bin.MeanConfidence!.Value, 6);
        Assert.Equal(0.5, bin.Accuracy);
        Assert.Equal(2, report.CalibrationBins[13].Count);
        Assert.Equal(4, report.CalibrationBins.Sum(b => b.Count));
    }

    [Fact]
    public void With_one_bin_calibration_error_is_the_gap_between_accuracy_and_mean_confidence()
    {
        // Accuracy 3/4, mean confidence (0.75 + 0.75 + 0.9 + 0.9) / 4 = 0.825.
        var ln3 = MathF.Log(3);
        var ln9 = MathF.Log(9);
        var report = Evaluate([ln3, 0, ln3, 0, ln9, 0, 0, ln9], [0, 1, 0, 1], NoTiming with { CalibrationBins = 1 });
        Assert.Equal(0.075, report.ExpectedCalibrationError, 6);
    }

    [Fact]
    public void A_model_equal_to_the_ensemble_agrees_everywhere_with_zero_divergence()
    {
        var report = Evaluate(ThreeClassLogits, ThreeClassLabels, ensemble: ThreeClassLogits);
        Assert.Equal(new EnsembleAgreement(1.0, 0.0), report.EnsembleAgreement);
    }

    [Fact]
    public void Agreement_compares_arg_maxes_and_divergence_is_kl_of_ensemble_to_model()
    {
        // Example 1: model uniform, ensemble [0.75, 0.25]; both pick class 0.
        //   KL = 0.75·ln(0.75/0.5) + 0.25·ln(0.25/0.5).
        // Example 2: model [1, 0], ensemble [0, 1]: they disagree. With s = σ(1) the model is
        //   [s, 1−s] and the ensemble [1−s, s], so KL = (1−s)·ln((1−s)/s) + s·ln(s/(1−s)) = (2s − 1)·1.
        var s = 1 / (1 + Math.Exp(-1));
        var expected = (0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5) + (2 * s - 1)) / 2;
        var report = Evaluate([0, 0, 1, 0], [0, 0], ensemble: [MathF.Log(3), 0, 0, 1]);

        Assert.Equal(0.5, report.EnsembleAgreement!.AgreementRate);
        Assert.Equal(expected, report.EnsembleAgreement.MeanKlDivergence, 6);
    }

    [Fact]
    public void Without_ensemble_logits_there_is_no_agreement()
    {
        Assert.Null(Evaluate(ThreeClassLogits, ThreeClassLabels).EnsembleAgreement);
    }

    [Fact]
    public void Ensemble_logits_of_another_shape_are_rejected()
    {
        using var scope = torch.NewDisposeScope();
        var evaluator = new ModelEvaluator(NoTiming);
        var error = Assert.Throws<ArgumentException>(() => evaluator.FromLogits("model", torch.zeros(new long[] { 5, 3 }), ThreeClassLabels, null, torch.zeros(new long[] { 5, 4 })));
        Assert.Contains("[5, 4] but the model's are [5, 3]", error.Message);
    }

    [Fact]
    public void Invalid_options_are_rejected_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelEvaluator(new EvaluationOptions { TopK = 0, LatencyRuns = 0 }));
        Assert.Contains("EvaluationOptions.TopK is 0; it must be at least 1.", error.Message);
        Assert.Contains("EvaluationOptions.LatencyRuns is 0; it must be at least 1.", error.Message);
    }

    [Fact]
    public void Evaluating_a_module_gives_the_metrics_of_its_logits_plus_its_parameters_and_size()
    {
        var testSet = new Dataset((float[])ThreeClassLogits.Clone(), [3], ThreeClassLabels, 3, ThreeClassNames);
        using var model = new LogitsPassThrough(7);
        var report = new ModelEvaluator(NoTiming with { BatchSize = 2 }).Evaluate("student", model, testSet);

        Assert.Equal("student", report.Name);
        Assert.Equal(0.4, report.Accuracy, 12);
        Assert.Equal(0.8, report.TopKAccuracy, 12);
        Assert.Equal("dog", report.PerClass[1].Name);
        Assert.Equal(7, report.ParameterCount);
        Assert.Null(report.Speed);
        Assert.Empty(report.Comparisons);
        Assert.True(model.training);
    }

    [Fact]
    public void Size_on_disk_is_the_length_of_the_saved_safetensors_file()
    {
        using var model = new LogitsPassThrough(7);
        var path = Path.Combine(Path.GetTempPath(), $"feddistill-size-{Guid.NewGuid():N}.safetensors");
        try
        {
            FedDistill.Distillation.Models.ModelFiles.SaveWeights(model, path);
            Assert.Equal(new FileInfo(path).Length, ModelEvaluator.SizeOnDisk(model));
            // safetensors: an 8-byte little-endian header length, the JSON header, then 7 float32 values.
            var bytes = File.ReadAllBytes(path);
            var headerLength = BitConverter.ToInt64(bytes, 0);
            Assert.Contains("\"offset\"", System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
            Assert.Equal(8 + headerLength + 7 * 4, ModelEvaluator.SizeOnDisk(model));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Measured_latency_and_throughput_are_positive()
    {
        var testSet = new Dataset((float[])ThreeClassLogits.Clone(), [3], ThreeClassLabels, 3);
        using var model = new LogitsPassThrough(7);
        var options = new EvaluationOptions { WarmupRuns = 1, LatencyRuns = 3, ThroughputRuns = 2, ThroughputBatchSize = 8 };
        var report = new ModelEvaluator(options).Evaluate("student", model, testSet);

        Assert.NotNull(report.Speed);
        Assert.True(report.Speed.LatencyMilliseconds > 0);
        Assert.True(report.Speed.ThroughputSamplesPerSecond > 0);
        Assert.Equal((3, 8, "cpu"), (report.Speed.LatencyRuns, report.Speed.ThroughputBatchSize, report.Speed.Device));
    }

    [Fact]
    public void Comparison_with_teachers_gives_compression_speed_up_and_accuracy_difference()
    {
        var baseReport = Evaluate(ThreeClassLogits, ThreeClassLabels);
        var student = baseReport with { Name = "student", ParameterCount = 250, Speed = new SpeedMeasurement(0.5, 400, 50, 256, "cpu", 1) };
        var timedTeacher = baseReport with { Name = "resnet20", Accuracy = 0.5, ParameterCount = 1000, Speed = new SpeedMeasurement(2.0, 100, 50, 256, "cpu", 1) };
        var untimedTeacher = baseReport with { Name = "lenet5", ParameterCount = 500 };

        var comparisons = ModelEvaluator.Compare(student, [timedTeacher, untimedTeacher]);

        Assert.Equal("resnet20", comparisons[0].Teacher);
        Assert.Equal(4.0, comparisons[0].CompressionRatio);
        Assert.Equal(4.0, comparisons[0].LatencySpeedup);
        Assert.Equal(4.0, comparisons[0].ThroughputRatio);
        Assert.Equal(-0.1, comparisons[0].AccuracyDifference, 12);
        Assert.Equal(new TeacherComparison("lenet5", 2.0, null, null, 0.0), comparisons[1]);
    }

    [Fact]
    public void Evaluate_fills_in_comparisons_with_the_given_teachers()
    {
        var testSet = new Dataset((float[])ThreeClassLogits.Clone(), [3], ThreeClassLabels, 3);
        using var model = new LogitsPassThrough(7);
        var teacher = Evaluate(ThreeClassLogits, ThreeClassLabels) with { Name = "teacher", ParameterCount = 70 };

        var report = new ModelEvaluator(NoTiming).Evaluate("student", model, testSet, teachers: [teacher]);

        Assert.Equal(10.0, Assert.Single(report.Comparisons).CompressionRatio);
    }
}
