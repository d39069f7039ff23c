using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Functions;

public sealed class ActivationTests
{
    [Fact]
    public void Softmax_of_one_two_three_is_e_to_the_i_over_their_sum()
    {
        using var x = Tensor.FromArray(new double[] { 1, 2, 3 });
        using var probabilities = F.Softmax(x, 0);
        var sum = Math.E + Math.Exp(2) + Math.Exp(3);
        TensorAssert.Close([Math.E / sum, Math.Exp(2) / sum, Math.Exp(3) / sum], probabilities, 1e-12);
        // 0.09003057, 0.24472847, 0.66524096 to eight places
        TensorAssert.Close([0.09003057, 0.24472847, 0.66524096], probabilities, 1e-8);
    }

    [Fact]
    public void Softmax_is_unchanged_by_adding_a_constant()
    {
        using var x = Tensor.FromArray(new double[] { 1, 2, 3 });
        using var shifted = x + 1000;
        using var a = F.Softmax(x, 0);
        using var b = F.Softmax(shifted, 0);
        TensorAssert.Close(TensorAssert.Values(a), b, 1e-12);
    }

    [Fact]
    public void Softmax_and_LogSoftmax_match_pytorch_along_each_dimension()
    {
        var reference = ReferenceData.Case("softmax");
        using var x = reference.Tensor("x");
        using var rows = F.Softmax(x, 1);
        using var columns = F.Softmax(x, 0);
        using var logRows = F.LogSoftmax(x, -1);
        TensorAssert.Close(reference["softmax_dim1"], rows);
        TensorAssert.Close(reference["softmax_dim0"], columns);
        TensorAssert.Close(reference["log_softmax_dim1"], logRows);
    }

    [Fact]
    public void Gelu_matches_pytorchs_exact_erf_form()
    {
        var reference = ReferenceData.Case("gelu");
        using var x = reference.Tensor("input");
        using var y = F.Gelu(x);
        TensorAssert.Close(reference["out"], y);
    }

    [Fact]
    public void Relu_zeroes_negatives_and_keeps_positives()
    {
        using var x = Tensor.FromArray(new float[] { -2, -0.5f, 0, 0.5f, 2 });
        using var y = F.Relu(x);
        Assert.Equal(new float[] { 0, 0, 0, 0.5f, 2 }, y.ToArray<float>());
    }

    [Fact]
    public void Dropout_in_evaluation_returns_the_input_values()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2, 3 });
        using var y = F.Dropout(x, 0.9, training: false);
        Assert.Equal(new float[] { 1, 2, 3 }, y.ToArray<float>());
    }
}
