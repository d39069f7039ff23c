namespace FedDistill.Torch.Tests.Tensors;

public sealed class TensorShapingTests
{
    // [[0, 1, 2], [3, 4, 5]]
    private static Tensor TwoByThree() => Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5 }, 2, 3);

    [Fact]
    public void Cat_joins_along_an_existing_dimension()
    {
        using var a = TwoByThree();
        using var b = Tensor.FromArray(new float[] { 6, 7, 8 }, 1, 3);
        using var rows = Tensor.Cat([a, b]);
        Assert.Equal(new long[] { 3, 3 }, rows.Shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, rows.ToArray<float>());

        using var c = Tensor.FromArray(new float[] { 10, 11 }, 2, 1);
        using var columns = Tensor.Cat([a, c], dimension: 1);
        Assert.Equal(new long[] { 2, 4 }, columns.Shape);
        Assert.Equal(new float[] { 0, 1, 2, 10, 3, 4, 5, 11 }, columns.ToArray<float>());
    }

    [Fact]
    public void Stack_adds_a_new_dimension()
    {
        using var a = Tensor.FromArray(new float[] { 1, 2 });
        using var b = Tensor.FromArray(new float[] { 3, 4 });
        using var first = Tensor.Stack([a, b]);
        using var last = Tensor.Stack([a, b], dimension: 1);
        Assert.Equal(new long[] { 2, 2 }, first.Shape);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, first.ToArray<float>());
        Assert.Equal(new float[] { 1, 3, 2, 4 }, last.ToArray<float>());
    }

    [Fact]
    public void Narrow_is_a_view_of_a_slice_that_shares_storage()
    {
        using var x = TwoByThree();
        using var slice = x.Narrow(1, 1, 2);
        Assert.Equal(new long[] { 2, 2 }, slice.Shape);
        Assert.Equal(new float[] { 1, 2, 4, 5 }, slice.ToArray<float>());

        using var hundred = Tensor.Full([2, 2], 100);
        slice.CopyFrom(hundred);
        Assert.Equal(new float[] { 0, 100, 100, 3, 100, 100 }, x.ToArray<float>());
    }

    [Fact]
    public void IndexSelect_copies_the_chosen_rows_in_index_order()
    {
        using var x = TwoByThree();
        using var index = Tensor.FromArray(new long[] { 1, 1, 0 });
        using var rows = x.IndexSelect(0, index);
        using var columnIndex = Tensor.FromArray(new long[] { 2, 0 });
        using var columns = x.IndexSelect(1, columnIndex);
        Assert.Equal(new long[] { 3, 3 }, rows.Shape);
        Assert.Equal(new float[] { 3, 4, 5, 3, 4, 5, 0, 1, 2 }, rows.ToArray<float>());
        Assert.Equal(new float[] { 2, 0, 5, 3 }, columns.ToArray<float>());
    }

    [Fact]
    public void Gather_picks_one_value_per_row()
    {
        using var x = TwoByThree();
        using var index = Tensor.FromArray(new long[] { 2, 0 }, 2, 1);
        using var picked = x.Gather(1, index);
        Assert.Equal(new long[] { 2, 1 }, picked.Shape);
        Assert.Equal(new float[] { 2, 3 }, picked.ToArray<float>());
    }

    [Fact]
    public void Permute_reorders_dimensions_and_the_element_order_follows()
    {
        // x[i, j, k] = 100 i + 10 j + k with shape [2, 3, 4]
        var values = new float[24];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    values[i * 12 + j * 4 + k] = 100 * i + 10 * j + k;
        using var x = Tensor.FromArray(values, 2, 3, 4);
        using var permuted = x.Permute(2, 0, 1);
        Assert.Equal(new long[] { 4, 2, 3 }, permuted.Shape);
        var result = permuted.ToArray<float>();
        for (var k = 0; k < 4; k++)
            for (var i = 0; i < 2; i++)
                for (var j = 0; j < 3; j++)
                    Assert.Equal(100 * i + 10 * j + k, result[k * 6 + i * 3 + j]);
    }

    [Fact]
    public void Transpose_swaps_rows_and_columns()
    {
        using var x = TwoByThree();
        using var transposed = x.Transpose(0, 1);
        Assert.Equal(new long[] { 3, 2 }, transposed.Shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, transposed.ToArray<float>());
    }

    [Fact]
    public void View_fails_on_a_transposed_layout_where_Reshape_copies()
    {
        using var x = TwoByThree();
        using var transposed = x.Transpose(0, 1);
        Assert.Throws<TorchException>(() => transposed.View(6));
        using var reshaped = transposed.Reshape(6);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, reshaped.ToArray<float>());
        using var contiguous = transposed.Contiguous();
        using var view = contiguous.View(-1);
        Assert.Equal(reshaped.ToArray<float>(), view.ToArray<float>());
    }

    [Fact]
    public void View_infers_one_dimension_from_minus_one()
    {
        using var x = Tensor.Arange(0, 12, dtype: DType.Float32);
        using var view = x.View(3, -1);
        Assert.Equal(new long[] { 3, 4 }, view.Shape);
    }

    [Fact]
    public void Squeeze_Unsqueeze_and_Flatten_change_only_the_shape()
    {
        using var x = TwoByThree();
        using var unsqueezed = x.Unsqueeze(1);
        using var squeezed = unsqueezed.Squeeze(1);
        using var flat = unsqueezed.Flatten();
        using var partlyFlat = unsqueezed.Flatten(1);
        Assert.Equal(new long[] { 2, 1, 3 }, unsqueezed.Shape);
        Assert.Equal(new long[] { 2, 3 }, squeezed.Shape);
        Assert.Equal(new long[] { 6 }, flat.Shape);
        Assert.Equal(new long[] { 2, 3 }, partlyFlat.Shape);
        Assert.Equal(x.ToArray<float>(), flat.ToArray<float>());
    }

    [Fact]
    public void Expand_broadcasts_a_size_one_dimension()
    {
        using var column = Tensor.FromArray(new float[] { 1, 2 }, 2, 1);
        using var expanded = column.Expand(2, 3);
        Assert.Equal(new float[] { 1, 1, 1, 2, 2, 2 }, expanded.ToArray<float>());
    }

    [Fact]
    public void OneHot_encodes_labels_as_int64_rows()
    {
        using var labels = Tensor.FromArray(new long[] { 2, 0, 1 });
        using var encoded = labels.OneHot(4);
        Assert.Equal(DType.Int64, encoded.DType);
        Assert.Equal(new long[] { 3, 4 }, encoded.Shape);
        Assert.Equal(new long[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0 }, encoded.ToArray<long>());
    }

    [Fact]
    public void Clone_is_a_deep_copy()
    {
        using var x = TwoByThree();
        using var copy = x.Clone();
        using var zeros = Tensor.Zeros([2, 3]);
        x.CopyFrom(zeros);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, copy.ToArray<float>());
    }

    [Fact]
    public void Size_counts_negative_dimensions_from_the_end()
    {
        using var x = Tensor.Zeros([2, 3, 5]);
        Assert.Equal(5, x.Size(-1));
        Assert.Equal(2, x.Size(0));
        Assert.Equal(30, x.ElementCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(3));
    }
}
