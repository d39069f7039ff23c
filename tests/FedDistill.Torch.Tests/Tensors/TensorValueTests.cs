using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests.Tensors;

public sealed class TensorValueTests
{
    [Fact]
    public void Matmul_with_negative_entries_matches_hand_computation()
    {
        // [[1,-2,0],[3,1,-1]] · [[2,1],[0,-1],[4,5]] = [[2,3],[2,-3]]
        using var a = Tensor.FromArray(new float[] { 1, -2, 0, 3, 1, -1 }, 2, 3);
        using var b = Tensor.FromArray(new float[] { 2, 1, 0, -1, 4, 5 }, 3, 2);
        using var product = a.MatMul(b);
        Assert.Equal(new long[] { 2, 2 }, product.Shape);
        Assert.Equal(new float[] { 2, 3, 2, -3 }, product.ToArray<float>());
    }

    [Fact]
    public void Matmul_broadcasts_batch_dimensions_as_pytorch_does()
    {
        var reference = ReferenceData.Case("matmul_broadcast");
        using var a = reference.Tensor("a"); // [2, 1, 2, 3]
        using var b = reference.Tensor("b"); // [3, 3, 2]
        using var product = a.MatMul(b);
        TensorAssert.Close(reference["out"], product); // [2, 3, 2, 2]
    }

    [Fact]
    public void Matmul_of_a_matrix_and_a_vector_is_a_vector()
    {
        var reference = ReferenceData.Case("matmul_matrix_vector");
        using var a = reference.Tensor("a");
        using var b = reference.Tensor("b");
        using var product = a.MatMul(b);
        TensorAssert.Close(reference["out"], product);
    }

    [Fact]
    public void Adding_a_column_to_a_row_broadcasts_to_a_matrix()
    {
        using var column = Tensor.FromArray(new float[] { 10, 20 }, 2, 1);
        using var row = Tensor.FromArray(new float[] { 1, 2, 3 });
        using var sum = column + row;
        Assert.Equal(new long[] { 2, 3 }, sum.Shape);
        Assert.Equal(new float[] { 11, 12, 13, 21, 22, 23 }, sum.ToArray<float>());
    }

    [Fact]
    public void Operators_compute_element_wise_values()
    {
        using var x = Tensor.FromArray(new float[] { 1, -2, 4 });
        using var y = Tensor.FromArray(new float[] { 2, 2, -1 });
        using var sum = x + y;
        using var difference = x - y;
        using var product = x * y;
        using var quotient = x / y;
        using var scaled = x * 3;
        using var shifted = 1 + x;
        using var reversed = 10 - x;
        using var negated = -x;
        using var halved = x / 2;
        using var fused = x.Add(y, alpha: -2); // x - 2y
        Assert.Equal(new float[] { 3, 0, 3 }, sum.ToArray<float>());
        Assert.Equal(new float[] { -1, -4, 5 }, difference.ToArray<float>());
        Assert.Equal(new float[] { 2, -4, -4 }, product.ToArray<float>());
        Assert.Equal(new float[] { 0.5f, -1, -4 }, quotient.ToArray<float>());
        Assert.Equal(new float[] { 3, -6, 12 }, scaled.ToArray<float>());
        Assert.Equal(new float[] { 2, -1, 5 }, shifted.ToArray<float>());
        Assert.Equal(new float[] { 9, 12, 6 }, reversed.ToArray<float>());
        Assert.Equal(new float[] { -1, 2, -4 }, negated.ToArray<float>());
        Assert.Equal(new float[] { 0.5f, -1, 2 }, halved.ToArray<float>());
        Assert.Equal(new float[] { -3, -6, 6 }, fused.ToArray<float>());
    }

    [Fact]
    public void AddInPlace_accumulates_a_scaled_tensor_into_the_same_storage()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2 });
        using var y = Tensor.FromArray(new float[] { 10, 20 });
        var returned = x.AddInPlace(y, 0.5);
        Assert.Same(x, returned);
        Assert.Equal(new float[] { 6, 12 }, x.ToArray<float>());
    }

    [Fact]
    public void Clamp_and_where_choose_values_by_bounds_and_masks()
    {
        using var x = Tensor.FromArray(new float[] { -3, -0.5f, 0.5f, 3 });
        using var clamped = x.Clamp(-1, 1);
        using var floorOnly = x.Clamp(min: 0);
        Assert.Equal(new float[] { -1, -0.5f, 0.5f, 1 }, clamped.ToArray<float>());
        Assert.Equal(new float[] { 0, 0, 0.5f, 3 }, floorOnly.ToArray<float>());

        using var positive = x.Gt(0);
        using var zeros = Tensor.Zeros([4]);
        using var relu = Tensor.Where(positive, x, zeros);
        Assert.Equal(DType.Bool, positive.DType);
        Assert.Equal(new[] { false, false, true, true }, positive.ToArray<bool>());
        Assert.Equal(new float[] { 0, 0, 0.5f, 3 }, relu.ToArray<float>());
    }

    [Fact]
    public void Comparisons_return_boolean_masks()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2, 3 });
        using var y = Tensor.FromArray(new float[] { 3, 2, 1 });
        using var eq = x.Eq(y);
        using var ne = x.Ne(y);
        using var lt = x.Lt(y);
        using var le = x.Le(y);
        using var ge = x.Ge(y);
        using var both = lt.LogicalOr(eq);
        Assert.Equal(new[] { false, true, false }, eq.ToArray<bool>());
        Assert.Equal(new[] { true, false, true }, ne.ToArray<bool>());
        Assert.Equal(new[] { true, false, false }, lt.ToArray<bool>());
        Assert.Equal(new[] { true, true, false }, le.ToArray<bool>());
        Assert.Equal(new[] { false, true, true }, ge.ToArray<bool>());
        Assert.Equal(le.ToArray<bool>(), both.ToArray<bool>());
    }

    [Fact]
    public void Unary_functions_match_their_closed_forms()
    {
        using var x = Tensor.FromArray(new double[] { 0.25, 1, 4 });
        using var exp = x.Exp();
        using var log = x.Log();
        using var sqrt = x.Sqrt();
        using var rsqrt = x.Rsqrt();
        using var square = x.Square();
        using var sigmoid = x.Sigmoid();
        using var tanh = x.Tanh();
        using var log1p = x.Log1p();
        double[] values = [0.25, 1, 4];
        TensorAssert.Close(values.Select(Math.Exp).ToArray(), exp, 1e-12);
        TensorAssert.Close(values.Select(v => Math.Log(v)).ToArray(), log, 1e-12);
        TensorAssert.Close(values.Select(Math.Sqrt).ToArray(), sqrt, 1e-12);
        TensorAssert.Close(values.Select(v => 1 / Math.Sqrt(v)).ToArray(), rsqrt, 1e-12);
        TensorAssert.Close(values.Select(v => v * v).ToArray(), square, 1e-12);
        TensorAssert.Close(values.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(), sigmoid, 1e-12);
        TensorAssert.Close(values.Select(Math.Tanh).ToArray(), tanh, 1e-12);
        TensorAssert.Close(values.Select(v => Math.Log(1 + v)).ToArray(), log1p, 1e-12);
    }

    [Fact]
    public void Scalar_is_zero_dimensional_and_Item_reads_it_back()
    {
        using var half = Tensor.Scalar(2.5f);
        using var count = Tensor.Scalar(7L);
        Assert.Equal(0, half.Dimensions);
        Assert.Empty(half.Shape);
        Assert.Equal(1, half.ElementCount);
        Assert.Equal(DType.Float32, half.DType);
        Assert.Equal(2.5, half.Item());
        Assert.Equal(2.5f, half.ItemSingle());
        Assert.Equal(DType.Int64, count.DType);
        Assert.Equal(7.0, count.Item());
    }

    [Fact]
    public void Item_of_a_one_element_vector_reads_the_element()
    {
        using var vector = Tensor.FromArray(new double[] { -1.25 });
        Assert.Equal(-1.25, vector.Item());
    }

    [Fact]
    public void Factories_fill_with_the_requested_values()
    {
        using var zeros = Tensor.Zeros([2, 2], DType.Int32);
        using var ones = Tensor.Ones([3]);
        using var full = Tensor.Full([2], 1.5, DType.Float64);
        using var range = Tensor.Arange(2, 11, 3);
        using var fractional = Tensor.Arange(0, 1, 0.25, DType.Float32);
        Assert.Equal(new int[] { 0, 0, 0, 0 }, zeros.ToArray<int>());
        Assert.Equal(new float[] { 1, 1, 1 }, ones.ToArray<float>());
        Assert.Equal(new double[] { 1.5, 1.5 }, full.ToArray<double>());
        Assert.Equal(new long[] { 2, 5, 8 }, range.ToArray<long>());
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f }, fractional.ToArray<float>());
    }

    [Fact]
    public void Random_factories_stay_inside_their_ranges()
    {
        using var uniform = Tensor.Uniform([1000], -2, 3);
        using var rand = Tensor.Rand([1000]);
        using var integers = Tensor.RandInt(5, 8, [1000]);
        Assert.All(uniform.ToArray<float>(), value => Assert.InRange(value, -2f, 3f));
        Assert.All(rand.ToArray<float>(), value => Assert.InRange(value, 0f, 1f));
        var drawn = integers.ToArray<long>();
        Assert.All(drawn, value => Assert.InRange(value, 5L, 7L));
        Assert.Equal(new long[] { 5, 6, 7 }, drawn.Distinct().Order().ToArray());
    }

    [Fact]
    public void CopyTo_and_CopyFrom_move_elements_between_host_memory_and_the_tensor()
    {
        using var tensor = Tensor.Zeros([2, 2]);
        tensor.CopyFrom<float>([1, 2, 3, 4]);
        Span<float> destination = stackalloc float[4];
        tensor.CopyTo(destination);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, destination.ToArray());

        // A transposed view is not contiguous; CopyTo still reads it in row-major order of the view.
        using var transposed = tensor.Transpose(0, 1);
        Assert.Equal(new float[] { 1, 3, 2, 4 }, transposed.ToArray<float>());
    }

    [Fact]
    public void CopyFrom_a_tensor_broadcasts_into_the_target()
    {
        using var target = Tensor.Zeros([2, 3]);
        using var row = Tensor.FromArray(new float[] { 1, 2, 3 });
        target.CopyFrom(row);
        Assert.Equal(new float[] { 1, 2, 3, 1, 2, 3 }, target.ToArray<float>());
    }

    [Fact]
    public void ToString_names_shape_dtype_and_device_but_no_elements()
    {
        var tensor = Tensor.Zeros([256, 10]);
        Assert.Equal("Tensor[256, 10] Float32 cpu", tensor.ToString());
        tensor.Dispose();
        Assert.Equal("Tensor(disposed)", tensor.ToString());
    }

    [Fact]
    public void Arithmetic_with_a_whole_number_keeps_an_int64_tensor_int64_as_pytorch_does()
    {
        // In PyTorch, labels * 2 and labels + 1 stay int64; only a fractional scalar promotes to float.
        using var labels = Tensor.FromArray(new long[] { 0, 1, 3 });
        using var doubled = labels * 2;
        using var shifted = labels + 1;
        Assert.Equal(DType.Int64, doubled.DType);
        Assert.Equal(new long[] { 0, 2, 6 }, doubled.ToArray<long>());
        Assert.Equal(DType.Int64, shifted.DType);
        Assert.Equal(new long[] { 1, 2, 4 }, shifted.ToArray<long>());
    }

    [Fact]
    public void Arithmetic_with_a_fractional_scalar_promotes_an_int64_tensor_to_float32()
    {
        using var labels = Tensor.FromArray(new long[] { 1, 2 });
        using var halved = labels * 0.5;
        Assert.Equal(DType.Float32, halved.DType);
        Assert.Equal(new float[] { 0.5f, 1 }, halved.ToArray<float>());
    }

    [Fact]
    public void Arange_with_a_fractional_step_and_no_dtype_gives_float_values_as_pytorch_infers()
    {
        // torch.arange(0, 1, 0.25) is float32 [0, 0.25, 0.5, 0.75]; only whole-number arguments give int64.
        using var range = Tensor.Arange(0, 1, 0.25);
        Assert.Equal(DType.Float32, range.DType);
        Assert.Equal(new float[] { 0, 0.25f, 0.5f, 0.75f }, range.ToArray<float>());
    }
}
