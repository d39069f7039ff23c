using FedDistill.Distillation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class LabelSmoothingCrossEntropyTests
{
    [Fact]
    public void Equals_one_minus_epsilon_cross_entropy_plus_epsilon_mean_negative_log_probability_over_classes()
    {
        using var scope = torch.NewDisposeScope();
        const int rows = 3, classes = 4;
        const double epsilon = 0.2;
        var logits = Inputs.Wave(rows * classes, phase: 0.4, scale: 1.5);
        long[] labels = [3, 0, 2];
        // By hand: log p = z − log Σ exp z per row.
        double crossEntropy = 0, meanNegativeLog = 0;
        for (var r = 0; r < rows; r++)
        {
            var row = logits.AsSpan(r * classes, classes);
            var logNormalizer = Math.Log(row.ToArray().Sum(Math.Exp));
            crossEntropy += logNormalizer - row[(int)labels[r]];
            for (var c = 0; c < classes; c++) meanNegativeLog += (logNormalizer - row[c]) / classes;
        }
        var expected = ((1 - epsilon) * crossEntropy + epsilon * meanNegativeLog) / rows;

        var loss = new CrossEntropyLoss(epsilon).Compute(tensor(logits, [rows, classes]), null, tensor(labels));

        LossAssert.Close(expected, loss.ToDouble(), relative: 1e-12, absolute: 1e-12);
    }

    [Fact]
    public void Matches_pytorch_label_smoothing()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("label_smoothing_cross_entropy");
        var loss = new CrossEntropyLoss(reference.Number("label_smoothing"))
            .Compute(reference.Tensor("logits"), null, reference.Tensor("labels"));
        LossAssert.Close(reference.Scalar("loss"), loss.ToDouble());
    }

    [Fact]
    public void Zero_smoothing_is_plain_cross_entropy_of_the_label()
    {
        using var scope = torch.NewDisposeScope();
        // Uniform logits over 4 classes: −log ¼ whatever the label.
        var loss = new CrossEntropyLoss().Compute(zeros([2, 4], ScalarType.Float64), null, tensor(new long[] { 1, 3 }));
        LossAssert.Close(Math.Log(4), loss.ToDouble(), relative: 1e-12, absolute: 1e-12);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Rejects_label_smoothing_outside_zero_to_one(double epsilon)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss(epsilon));
        Assert.Equal("labelSmoothing", error.ParamName);
    }
}
