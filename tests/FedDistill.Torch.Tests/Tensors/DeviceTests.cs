namespace FedDistill.Torch.Tests.Tensors;

public sealed class DeviceTests
{
    [Theory]
    [InlineData("cpu", DeviceType.Cpu, 0)]
    [InlineData(" CPU ", DeviceType.Cpu, 0)]
    [InlineData("cuda", DeviceType.Cuda, 0)]
    [InlineData("cuda:1", DeviceType.Cuda, 1)]
    [InlineData("CUDA:12", DeviceType.Cuda, 12)]
    public void Parse_reads_cpu_and_cuda_ordinals(string text, DeviceType type, int index)
    {
        Assert.Equal(new Device(type, index), Device.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:+1")]
    [InlineData("cuda:x")]
    [InlineData("cuda1")]
    [InlineData("cpu:0")]
    public void Parse_rejects_text_that_names_no_device(string text)
    {
        var error = Assert.Throws<FormatException>(() => Device.Parse(text));
        Assert.Contains("'cpu', 'cuda' or 'cuda:N'", error.Message);
    }

    [Fact]
    public void Parse_of_null_throws_ArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => Device.Parse(null!));
    }

    [Fact]
    public void ToString_round_trips_through_Parse()
    {
        Assert.Equal("cpu", Device.Cpu.ToString());
        Assert.Equal("cuda:3", Device.Cuda(3).ToString());
        Assert.Equal(Device.Cuda(3), Device.Parse(Device.Cuda(3).ToString()));
    }

    [Fact]
    public void A_negative_CUDA_ordinal_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
    }

    [Fact]
    public void The_cpu_is_always_available_and_cuda_only_with_a_device()
    {
        Assert.True(Device.Cpu.IsAvailable);
        Assert.Equal(Torch.CudaDeviceCount > 0, Device.Cuda(0).IsAvailable);
        Assert.False(Device.Cuda(Torch.CudaDeviceCount).IsAvailable);
    }

    [Fact]
    public void CudaDeviceCount_is_zero_on_a_cpu_only_libtorch()
    {
        if (Torch.CudaDeviceCount > 0) return; // A CUDA build on a GPU machine: nothing to check here.
        Assert.Equal(0, Torch.CudaDeviceCount);
        Assert.False(Torch.IsCudaAvailable);
    }

    [Fact]
    public void Tensors_are_created_on_the_cpu_by_default()
    {
        using var tensor = Tensor.Zeros([1]);
        Assert.Equal(Device.Cpu, tensor.Device);
    }
}
