using FedDistill.Torch.Nn;
using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Functions;

public sealed class LossTests
{
    private static readonly ReferenceCase CrossEntropyCase = ReferenceData.Case("cross_entropy");

    [Theory]
    [InlineData(Reduction.Mean, "mean")]
    [InlineData(Reduction.Sum, "sum")]
    [InlineData(Reduction.None, "none")]
    public void CrossEntropy_with_class_indices_matches_pytorch(Reduction reduction, string expected)
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = CrossEntropyCase.Tensor("target");
        using var loss = F.CrossEntropy(logits, target, reduction: reduction);
        TensorAssert.Close(CrossEntropyCase[expected], loss);
    }

    [Fact]
    public void CrossEntropy_with_label_smoothing_matches_pytorch()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = CrossEntropyCase.Tensor("target");
        using var loss = F.CrossEntropy(logits, target, labelSmoothing: 0.1);
        TensorAssert.Close(CrossEntropyCase["label_smoothing_0_1"], loss);
    }

    [Fact]
    public void CrossEntropy_with_class_weights_matches_pytorch_with_and_without_smoothing()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = CrossEntropyCase.Tensor("target");
        using var weights = CrossEntropyCase.Tensor("class_weights");
        using var weighted = F.CrossEntropy(logits, target, weights);
        using var smoothed = F.CrossEntropy(logits, target, weights, labelSmoothing: 0.1);
        TensorAssert.Close(CrossEntropyCase["weighted"], weighted);
        TensorAssert.Close(CrossEntropyCase["weighted_label_smoothing_0_1"], smoothed);
    }

    [Fact]
    public void CrossEntropy_with_probability_targets_matches_pytorch()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var probabilities = CrossEntropyCase.Tensor("prob_target");
        using var loss = F.CrossEntropy(logits, probabilities);
        using var smoothed = F.CrossEntropy(logits, probabilities, labelSmoothing: 0.1);
        TensorAssert.Close(CrossEntropyCase["prob_target_mean"], loss);
        TensorAssert.Close(CrossEntropyCase["prob_target_label_smoothing_0_1"], smoothed);
    }

    [Fact]
    public void CrossEntropy_with_one_hot_probabilities_equals_it_with_class_indices()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = CrossEntropyCase.Tensor("target");
        using var oneHot = target.OneHot(3);
        using var probabilities = oneHot.To(DType.Float32);
        using var fromIndices = F.CrossEntropy(logits, target);
        using var fromProbabilities = F.CrossEntropy(logits, probabilities);
        Assert.Equal(fromIndices.Item(), fromProbabilities.Item(), 6);
    }

    [Fact]
    public void CrossEntropy_skips_examples_labelled_with_the_ignore_index()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = Tensor.FromArray(new long[] { 0, -100, -100, -100 });
        using var loss = F.CrossEntropy(logits, target);
        // Only the first example counts: -log softmax([2, 0.5, -1])[0]
        var expected = -(2 - Math.Log(Math.Exp(2) + Math.Exp(0.5) + Math.Exp(-1)));
        Assert.Equal(expected, loss.Item(), 5);
    }

    [Fact]
    public void CrossEntropy_rejects_label_smoothing_outside_zero_to_one()
    {
        using var logits = CrossEntropyCase.Tensor("logits");
        using var target = CrossEntropyCase.Tensor("target");
        Assert.Throws<TorchException>(() => F.CrossEntropy(logits, target, labelSmoothing: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(logits, target, reduction: Reduction.BatchMean));
    }

    [Fact]
    public void NllLoss_matches_pytorch_plain_weighted_and_unreduced()
    {
        var reference = ReferenceData.Case("nll_loss");
        using var logProbabilities = reference.Tensor("log_probabilities");
        using var target = reference.Tensor("target");
        using var weights = reference.Tensor("class_weights");
        using var mean = F.NllLoss(logProbabilities, target);
        using var weighted = F.NllLoss(logProbabilities, target, weights);
        using var none = F.NllLoss(logProbabilities, target, reduction: Reduction.None);
        TensorAssert.Close(reference["mean"], mean);
        TensorAssert.Close(reference["weighted"], weighted);
        TensorAssert.Close(reference["none"], none);
    }

    [Fact]
    public void KlDiv_of_half_half_from_quarter_three_quarters_is_half_log_four_thirds()
    {
        // KL(P‖Q) = 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 ln(4/3)
        using var q = Tensor.FromArray(new double[] { 0.25, 0.75 }, 1, 2);
        using var logQ = q.Log();
        using var p = Tensor.FromArray(new double[] { 0.5, 0.5 }, 1, 2);
        using var kl = F.KlDiv(logQ, p);
        Assert.Equal(0.5 * Math.Log(4.0 / 3.0), kl.Item(), 12);
    }

    [Fact]
    public void KlDiv_of_a_distribution_from_itself_is_zero()
    {
        using var p = Tensor.FromArray(new double[] { 0.1, 0.2, 0.7, 0.3, 0.3, 0.4 }, 2, 3);
        using var logP = p.Log();
        using var kl = F.KlDiv(logP, p);
        Assert.Equal(0.0, kl.Item(), 12);
    }

    [Fact]
    public void KlDiv_matches_pytorch_for_every_reduction_and_log_targets()
    {
        var reference = ReferenceData.Case("kl_div");
        using var input = reference.Tensor("input");
        using var target = reference.Tensor("target");
        using var logTarget = reference.Tensor("log_target");
        using var batchMean = F.KlDiv(input, target);
        using var sum = F.KlDiv(input, target, Reduction.Sum);
        using var mean = F.KlDiv(input, target, Reduction.Mean);
        using var none = F.KlDiv(input, target, Reduction.None);
        using var fromLogTarget = F.KlDiv(input, logTarget, Reduction.BatchMean, logTarget: true);
        TensorAssert.Close(reference["batchmean"], batchMean);
        TensorAssert.Close(reference["sum"], sum);
        TensorAssert.Close(reference["mean"], mean);
        TensorAssert.Close(reference["none"], none);
        TensorAssert.Close(reference["log_target_batchmean"], fromLogTarget);
    }

    [Fact]
    public void KlDiv_batchmean_is_the_sum_divided_by_the_batch_size()
    {
        var reference = ReferenceData.Case("kl_div");
        using var input = reference.Tensor("input");
        using var target = reference.Tensor("target");
        using var batchMean = F.KlDiv(input, target);
        using var sum = F.KlDiv(input, target, Reduction.Sum);
        Assert.Equal(sum.Item() / 3, batchMean.Item(), 6);
    }

    [Fact]
    public void MseLoss_matches_pytorch_and_hand_computation()
    {
        var reference = ReferenceData.Case("mse");
        using var input = reference.Tensor("input");
        using var target = reference.Tensor("target");
        using var mean = F.MseLoss(input, target);
        using var sum = F.MseLoss(input, target, Reduction.Sum);
        using var none = F.MseLoss(input, target, Reduction.None);
        TensorAssert.Close(reference["mean"], mean);
        TensorAssert.Close(reference["sum"], sum);
        TensorAssert.Close(reference["none"], none);
        // (0.25 + 1 + 0 + 0.25 + 0.25 + 4) = 5.75 summed, over 6 elements
        Assert.Equal(5.75, sum.Item(), 5);
        Assert.Equal(5.75 / 6, mean.Item(), 5);
    }
}
