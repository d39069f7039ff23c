using FedDistill.Torch.Nn;

namespace FedDistill.Torch.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Matmul_of_small_matrices_matches_hand_computation()
    {
        using var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var b = Tensor.FromArray(new float[] { 7, 8, 9, 10, 11, 12 }, 3, 2);
        using var c = a.MatMul(b);
        Assert.Equal(new long[] { 2, 2 }, c.Shape);
        Assert.Equal(new float[] { 58, 64, 139, 154 }, c.ToArray<float>());
    }

    [Fact]
    public void Conv2d_with_mismatched_channels_throws_libtorch_message_and_process_goes_on()
    {
        using var input = Tensor.Zeros([1, 3, 8, 8]);
        using var weight = Tensor.Zeros([4, 2, 3, 3]);
        var error = Assert.Throws<TorchException>(() => Functional.Conv2d(input, weight));
        Assert.Contains("expected input", error.Message);
        using var ok = Tensor.Zeros([1, 2, 8, 8]);
        using var output = Functional.Conv2d(ok, weight);
        Assert.Equal(new long[] { 1, 4, 6, 6 }, output.Shape);
    }
}
