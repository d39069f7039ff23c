using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Functions;

public sealed class DistanceTests
{
    [Fact]
    public void CosineSimilarity_matches_pytorch_along_each_dimension()
    {
        var reference = ReferenceData.Case("cosine_similarity");
        using var a = reference.Tensor("a");
        using var b = reference.Tensor("b");
        using var rows = F.CosineSimilarity(a, b);
        using var columns = F.CosineSimilarity(a, b, dimension: 0);
        TensorAssert.Close(reference["dim1"], rows);
        TensorAssert.Close(reference["dim0"], columns);
    }

    [Fact]
    public void CosineSimilarity_is_one_for_parallel_minus_one_for_opposite_and_zero_for_orthogonal()
    {
        using var a = Tensor.FromArray(new double[] { 1, 2, 1, 0, 3, 4 }, 3, 2);
        using var b = Tensor.FromArray(new double[] { 2, 4, -1, 0, -4, 3 }, 3, 2);
        using var similarity = F.CosineSimilarity(a, b);
        TensorAssert.Close([1, -1, 0], similarity, 1e-12);
    }

    [Fact]
    public void PairwiseDistance_matches_pytorchs_cdist()
    {
        var reference = ReferenceData.Case("cdist");
        using var a = reference.Tensor("a");
        using var b = reference.Tensor("b");
        using var distances = F.PairwiseDistance(a, b);
        TensorAssert.Close(reference["out"], distances, 1e-5);
    }

    [Fact]
    public void PairwiseDistance_of_hand_points_is_euclidean()
    {
        using var a = Tensor.FromArray(new double[] { 0, 0, 1, 1 }, 2, 2);
        using var b = Tensor.FromArray(new double[] { 3, 4 }, 1, 2);
        using var distances = F.PairwiseDistance(a, b);
        Assert.Equal(new long[] { 2, 1 }, distances.Shape);
        TensorAssert.Close([5, Math.Sqrt(4 + 9)], distances, 1e-12);
    }
}
