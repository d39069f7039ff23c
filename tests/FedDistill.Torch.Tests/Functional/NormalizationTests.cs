using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Functions;

public sealed class NormalizationTests
{
    private static readonly ReferenceCase BatchNormCase = ReferenceData.Case("batch_norm");

    [Fact]
    public void BatchNorm_in_training_normalizes_with_batch_statistics_and_updates_the_running_ones_as_pytorch()
    {
        using var input = BatchNormCase.Tensor("input"); // [4, 3, 2, 2]
        using var weight = BatchNormCase.Tensor("weight");
        using var bias = BatchNormCase.Tensor("bias");
        using var runningMean = BatchNormCase.Tensor("running_mean");
        using var runningVar = BatchNormCase.Tensor("running_var");
        using var output = F.BatchNorm(input, runningMean, runningVar, weight, bias, training: true,
            momentum: BatchNormCase.Number("momentum"), eps: BatchNormCase.Number("eps"));
        TensorAssert.Close(BatchNormCase["train_out"], output);
        TensorAssert.Close(BatchNormCase["train_running_mean"], runningMean);
        TensorAssert.Close(BatchNormCase["train_running_var"], runningVar);
    }

    [Fact]
    public void BatchNorm_running_variance_moves_toward_the_unbiased_batch_variance()
    {
        // One channel, batch [1, 3]: mean 2, biased variance 1, unbiased variance 2; momentum 0.5.
        using var input = Tensor.FromArray(new float[] { 1, 3 }, 2, 1);
        using var runningMean = Tensor.Zeros([1]);
        using var runningVar = Tensor.Full([1], 3);
        using var output = F.BatchNorm(input, runningMean, runningVar, training: true, momentum: 0.5, eps: 0);
        Assert.Equal(new float[] { 1 }, runningMean.ToArray<float>());  // 0.5·0 + 0.5·2
        Assert.Equal(new float[] { 2.5f }, runningVar.ToArray<float>()); // 0.5·3 + 0.5·2 (unbiased)
        Assert.Equal(new float[] { -1, 1 }, output.ToArray<float>());    // biased variance 1 normalizes ±1
    }

    [Fact]
    public void BatchNorm_in_evaluation_uses_and_keeps_the_running_statistics()
    {
        using var input = BatchNormCase.Tensor("input");
        using var weight = BatchNormCase.Tensor("weight");
        using var bias = BatchNormCase.Tensor("bias");
        using var runningMean = BatchNormCase.Tensor("running_mean");
        using var runningVar = BatchNormCase.Tensor("running_var");
        using var output = F.BatchNorm(input, runningMean, runningVar, weight, bias, training: false,
            momentum: BatchNormCase.Number("momentum"), eps: BatchNormCase.Number("eps"));
        TensorAssert.Close(BatchNormCase["eval_out"], output);
        TensorAssert.Close(BatchNormCase["running_mean"], runningMean, 0);
        TensorAssert.Close(BatchNormCase["running_var"], runningVar, 0);
    }

    [Fact]
    public void LayerNorm_matches_pytorch_over_one_and_two_trailing_dimensions()
    {
        var reference = ReferenceData.Case("layer_norm");
        using var input = reference.Tensor("input"); // [2, 3, 4]
        using var weight = reference.Tensor("weight");
        using var bias = reference.Tensor("bias");
        using var lastDimension = F.LayerNorm(input, [4], weight, bias);
        using var lastTwo = F.LayerNorm(input, [3, 4]);
        TensorAssert.Close(reference["last_dim_affine"], lastDimension);
        TensorAssert.Close(reference["last_two_dims_plain"], lastTwo);
    }

    [Fact]
    public void LayerNorm_without_affine_gives_zero_mean_and_unit_biased_variance_per_row()
    {
        using var input = Tensor.FromArray(new double[] { 1, 2, 3, 4, 10, 20, 30, 40 }, 2, 4);
        using var normalized = F.LayerNorm(input, [4], eps: 0);
        using var mean = normalized.Mean(1);
        using var square = normalized.Square();
        using var meanSquare = square.Mean(1);
        TensorAssert.Close([0, 0], mean, 1e-12);
        TensorAssert.Close([1, 1], meanSquare, 1e-12);
    }
}
