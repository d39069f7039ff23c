namespace FedDistill.Torch.Tests.Tensors;

public sealed class TensorErrorTests
{
    [Fact]
    public void Adding_tensors_of_mismatched_shapes_throws_libtorchs_message()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4]);
        var error = Assert.Throws<TorchException>(() => a.Add(b));
        Assert.Contains("must match the size", error.Message);
        Assert.Contains("(3)", error.Message);
        Assert.Contains("(4)", error.Message);
        Assert.Equal(1, error.Status); // a c10::Error
        Assert.DoesNotContain("Exception raised from", error.Message); // no C++ backtrace
    }

    [Fact]
    public void A_failed_call_leaves_its_inputs_unchanged_and_the_next_call_works()
    {
        using var a = Tensor.FromArray(new float[] { 1, 2, 3 });
        using var b = Tensor.Zeros([2]);
        Assert.Throws<TorchException>(() => a.AddInPlace(b));
        Assert.Equal(new float[] { 1, 2, 3 }, a.ToArray<float>());
        using var doubled = a * 2;
        Assert.Equal(new float[] { 2, 4, 6 }, doubled.ToArray<float>());
    }

    [Fact]
    public void ToArray_of_float_on_an_int64_tensor_throws_InvalidOperationException_naming_both_types()
    {
        using var labels = Tensor.FromArray(new long[] { 1, 2 });
        var error = Assert.Throws<InvalidOperationException>(() => labels.ToArray<float>());
        Assert.Contains("Int64", error.Message);
        Assert.Contains("Float32", error.Message);
        Assert.Throws<InvalidOperationException>(() => labels.CopyFrom<float>([1f, 2f]));
    }

    [Fact]
    public void Using_a_disposed_tensor_throws_ObjectDisposedException()
    {
        var tensor = Tensor.Ones([2]);
        using var other = Tensor.Ones([2]);
        tensor.Dispose();
        Assert.True(tensor.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => tensor.Shape);
        Assert.Throws<ObjectDisposedException>(() => tensor.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => tensor.Add(other));
        Assert.Throws<ObjectDisposedException>(() => other.Add(tensor));
        tensor.Dispose(); // idempotent
    }

    [Fact]
    public void FromArray_with_a_shape_of_another_element_count_throws_TorchException()
    {
        var error = Assert.Throws<TorchException>(() => Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 4));
        Assert.Contains("24 bytes", error.Message);
        Assert.Contains("32", error.Message);
    }

    [Fact]
    public void FromBytes_with_a_byte_count_that_does_not_fit_the_dtype_throws_TorchException()
    {
        Assert.Throws<TorchException>(() => Tensor.FromBytes(new byte[3], DType.BFloat16, [2]));
    }

    [Fact]
    public void Item_of_a_tensor_with_several_elements_throws_TorchException()
    {
        using var pair = Tensor.Zeros([2]);
        Assert.Throws<TorchException>(() => pair.Item());
    }

    [Fact]
    public void Backward_from_a_non_scalar_without_a_gradient_throws_TorchException()
    {
        using var x = Tensor.Ones([3]);
        x.RequiresGrad = true;
        using var y = x * 2;
        var error = Assert.Throws<TorchException>(() => y.Backward());
        Assert.Contains("scalar", error.Message);
    }

    [Fact]
    public void A_CUDA_tensor_on_a_cpu_only_build_throws_TorchException_naming_CUDA()
    {
        if (Torch.CudaDeviceCount > 0) return; // Only meaningful where libtorch sees no GPU.
        Assert.False(Torch.IsCudaAvailable);
        Assert.False(Device.Cuda(0).IsAvailable);
        var error = Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda(0)));
        Assert.Contains("CUDA", error.Message);
        using var cpu = Tensor.Ones([2]);
        var moveError = Assert.Throws<TorchException>(() => cpu.To(Device.Cuda(0)));
        Assert.Contains("CUDA", moveError.Message);
    }
}
