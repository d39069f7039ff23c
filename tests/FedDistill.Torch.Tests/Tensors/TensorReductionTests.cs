using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests.Tensors;

public sealed class TensorReductionTests
{
    // [[1, 5, 2], [7, 0, 3]]
    private static Tensor Sample() => Tensor.FromArray(new float[] { 1, 5, 2, 7, 0, 3 }, 2, 3);

    [Fact]
    public void Sum_and_mean_of_all_elements_match_hand_computation()
    {
        using var x = Sample();
        using var sum = x.Sum();
        using var mean = x.Mean();
        using var factors = Tensor.FromArray(new float[] { 1, 2, 3, 4 });
        using var product = factors.Prod();
        Assert.Empty(sum.Shape);
        Assert.Equal(18.0, sum.Item());
        Assert.Equal(3.0, mean.Item());
        Assert.Equal(24.0, product.Item());
    }

    [Fact]
    public void Sum_and_mean_over_one_dimension_match_hand_computation()
    {
        using var x = Sample();
        using var columnSums = x.Sum(0);
        using var rowMeans = x.Mean(1, keepDimensions: true);
        Assert.Equal(new float[] { 8, 5, 5 }, columnSums.ToArray<float>());
        Assert.Equal(new long[] { 2, 1 }, rowMeans.Shape);
        TensorAssert.Close([8.0 / 3, 10.0 / 3], rowMeans, 1e-6);
    }

    [Fact]
    public void Max_min_and_argmax_find_the_extremes()
    {
        using var x = Sample();
        using var max = x.Max();
        using var min = x.Min();
        using var argmax = x.ArgMax();
        using var rowMax = x.Max(1);
        using var columnMin = x.Min(0);
        using var rowArgmax = x.ArgMax(1);
        using var rowArgmin = x.ArgMin(1);
        Assert.Equal(7.0, max.Item());
        Assert.Equal(0.0, min.Item());
        Assert.Equal(3.0, argmax.Item()); // index of 7 in the flattened tensor
        Assert.Equal(new float[] { 5, 7 }, rowMax.ToArray<float>());
        Assert.Equal(new float[] { 1, 0, 2 }, columnMin.ToArray<float>());
        Assert.Equal(DType.Int64, rowArgmax.DType);
        Assert.Equal(new long[] { 1, 0 }, rowArgmax.ToArray<long>());
        Assert.Equal(new long[] { 0, 1 }, rowArgmin.ToArray<long>());
    }

    [Fact]
    public void Norm_is_the_euclidean_length()
    {
        using var x = Tensor.FromArray(new float[] { 3, 4, 0, 12 }, 2, 2);
        using var all = x.Norm();
        using var rows = x.Norm([1]);
        Assert.Equal(13.0, all.Item(), 5);
        Assert.Equal(new float[] { 5, 12 }, rows.ToArray<float>());
    }

    [Fact]
    public void LogSumExp_equals_log_of_sum_of_exponentials_without_overflow()
    {
        using var x = Tensor.FromArray(new float[] { 1000, 1000, 0, 0 }, 2, 2);
        using var result = x.LogSumExp(1);
        TensorAssert.Close([1000 + Math.Log(2), Math.Log(2)], result, 1e-6);
    }

    [Fact]
    public void Sort_orders_values_and_returns_the_permutation()
    {
        using var x = Tensor.FromArray(new float[] { 3, 1, 2 });
        var (ascending, order) = x.Sort();
        var (descending, reverse) = x.Sort(descending: true);
        using (ascending) using (order) using (descending) using (reverse)
        {
            Assert.Equal(new float[] { 1, 2, 3 }, ascending.ToArray<float>());
            Assert.Equal(new long[] { 1, 2, 0 }, order.ToArray<long>());
            Assert.Equal(new float[] { 3, 2, 1 }, descending.ToArray<float>());
            Assert.Equal(new long[] { 0, 2, 1 }, reverse.ToArray<long>());
        }
    }

    [Fact]
    public void TopK_matches_pytorch_for_largest_and_smallest()
    {
        var reference = ReferenceData.Case("topk");
        using var x = reference.Tensor("input");
        var (largest, largestIndices) = x.TopK(3, 1);
        var (smallest, smallestIndices) = x.TopK(2, 1, largest: false);
        using (largest) using (largestIndices) using (smallest) using (smallestIndices)
        {
            TensorAssert.Close(reference["largest3_values"], largest);
            Assert.Equal(reference["largest3_indices"].Longs, largestIndices.ToArray<long>());
            TensorAssert.Close(reference["smallest2_values"], smallest);
            Assert.Equal(reference["smallest2_indices"].Longs, smallestIndices.ToArray<long>());
        }
    }

    [Fact]
    public void Var_and_Std_are_unbiased_and_match_pytorch()
    {
        var reference = ReferenceData.Case("var_std");
        using var x = reference.Tensor("input");
        using var varRows = x.Var([1]);
        using var stdRows = x.Std([1]);
        using var varColumns = x.Var([0]);
        using var varAll = x.Var([]);
        using var stdAll = x.Std([]);
        TensorAssert.Close(reference["var_dim1"], varRows);
        TensorAssert.Close(reference["std_dim1"], stdRows);
        TensorAssert.Close(reference["var_dim0"], varColumns);
        TensorAssert.Close(reference["var_all"].Data, varAll);
        TensorAssert.Close(reference["std_all"].Data, stdAll);
    }

    [Fact]
    public void Var_of_one_two_four_seven_is_the_unbiased_hand_value()
    {
        // mean 3.5; squared deviations 6.25 + 2.25 + 0.25 + 12.25 = 21; 21 / (4 - 1) = 7
        using var x = Tensor.FromArray(new double[] { 1, 2, 4, 7 });
        using var variance = x.Var([0]);
        using var deviation = x.Std([0]);
        Assert.Equal(7.0, variance.Item(), 12);
        Assert.Equal(Math.Sqrt(7), deviation.Item(), 12);
    }
}
