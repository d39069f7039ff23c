using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Functions;

public sealed class ConvolutionTests
{
    [Fact]
    public void Conv2d_with_stride_padding_and_bias_matches_pytorch()
    {
        var reference = ReferenceData.Case("conv2d");
        using var input = reference.Tensor("input");   // [2, 2, 5, 5]
        using var weight = reference.Tensor("weight"); // [3, 2, 3, 3]
        using var bias = reference.Tensor("bias");
        using var output = F.Conv2d(input, weight, bias, stride: (2, 2), padding: (1, 1));
        TensorAssert.Close(reference["stride2_padding1"], output); // [2, 3, 3, 3]
    }

    [Fact]
    public void Conv2d_without_bias_or_padding_matches_pytorch()
    {
        var reference = ReferenceData.Case("conv2d");
        using var input = reference.Tensor("input");
        using var weight = reference.Tensor("weight");
        using var output = F.Conv2d(input, weight);
        TensorAssert.Close(reference["stride1_padding0_nobias"], output); // [2, 3, 3, 3]
    }

    [Fact]
    public void Conv2d_with_a_one_by_one_kernel_scales_each_pixel()
    {
        using var input = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        using var weight = Tensor.FromArray(new float[] { 3 }, 1, 1, 1, 1);
        using var bias = Tensor.FromArray(new float[] { -1 });
        using var output = F.Conv2d(input, weight, bias);
        Assert.Equal(new float[] { 2, 5, 8, 11 }, output.ToArray<float>());
    }

    [Fact]
    public void MaxPool2d_matches_pytorch_with_default_and_explicit_stride()
    {
        var reference = ReferenceData.Case("pooling");
        using var input = reference.Tensor("input"); // [1, 2, 5, 5]
        using var halved = F.MaxPool2d(input, 2);
        using var padded = F.MaxPool2d(input, 3, stride: 2, padding: 1);
        TensorAssert.Close(reference["max_k2"], halved);
        TensorAssert.Close(reference["max_k3_s2_p1"], padded);
    }

    [Fact]
    public void AvgPool2d_matches_pytorch_counting_padding_as_pytorch_does()
    {
        var reference = ReferenceData.Case("pooling");
        using var input = reference.Tensor("input");
        using var halved = F.AvgPool2d(input, 2);
        using var padded = F.AvgPool2d(input, 3, stride: 2, padding: 1);
        TensorAssert.Close(reference["avg_k2"], halved);
        TensorAssert.Close(reference["avg_k3_s2_p1"], padded);
    }

    [Fact]
    public void Pooling_a_two_by_two_block_gives_its_max_and_mean()
    {
        using var input = Tensor.FromArray(new float[] { 1, 2, 3, 6 }, 1, 1, 2, 2);
        using var max = F.MaxPool2d(input, 2);
        using var mean = F.AvgPool2d(input, 2);
        Assert.Equal(new float[] { 6 }, max.ToArray<float>());
        Assert.Equal(new float[] { 3 }, mean.ToArray<float>());
    }

    [Fact]
    public void AdaptiveAvgPool2d_matches_pytorch_for_uneven_and_global_pooling()
    {
        var reference = ReferenceData.Case("adaptive_avg_pool2d");
        using var input = reference.Tensor("input"); // [1, 2, 5, 7]
        using var uneven = F.AdaptiveAvgPool2d(input, 2, 3);
        using var global = F.AdaptiveAvgPool2d(input, 1, 1);
        TensorAssert.Close(reference["out_2x3"], uneven);
        TensorAssert.Close(reference["out_1x1"], global);
        using var mean = input.Mean([2, 3], keepDimensions: true);
        TensorAssert.Close(TensorAssert.Values(mean), global, 1e-6);
    }
}
