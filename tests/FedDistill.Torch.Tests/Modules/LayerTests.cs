using FedDistill.Torch.Nn;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Modules;

public sealed class LayerTests
{
    [Fact]
    public void Linear_forward_is_x_times_W_transposed_plus_b()
    {
        using var layer = new Linear(3, 2);
        using var x = Tensor.FromArray(new float[] { 1, 2, 3, -1, 0, 0.5f }, 2, 3);
        using var y = layer.Forward(x);

        var w = layer.Weight.ToArray<float>(); // [2, 3]
        var b = layer.Bias!.ToArray<float>();
        var input = x.ToArray<float>();
        var expected = new double[4];
        for (var row = 0; row < 2; row++)
            for (var output = 0; output < 2; output++)
                expected[row * 2 + output] = b[output] + Enumerable.Range(0, 3).Sum(k => (double)input[row * 3 + k] * w[output * 3 + k]);
        Assert.Equal(new long[] { 2, 2 }, y.Shape);
        TensorAssert.Close(expected, y, 1e-6);
    }

    [Fact]
    public void Linear_initializes_within_pytorchs_bound_of_one_over_root_fan_in()
    {
        using var layer = new Linear(64, 32);
        var bound = 1 / Math.Sqrt(64);
        Assert.Equal(new long[] { 32, 64 }, layer.Weight.Shape);
        Assert.All(layer.Weight.ToArray<float>(), value => Assert.InRange(value, -bound, bound));
        Assert.All(layer.Bias!.ToArray<float>(), value => Assert.InRange(value, -bound, bound));
        Assert.True(layer.Weight.RequiresGrad);
    }

    [Fact]
    public void Linear_without_bias_has_only_a_weight()
    {
        using var layer = new Linear(4, 2, bias: false);
        Assert.Null(layer.Bias);
        Assert.Equal(new[] { "weight" }, layer.NamedParameters().Select(pair => pair.Key));
        Assert.Equal(8, layer.ParameterCount());
    }

    [Fact]
    public void Conv2d_layer_forward_equals_the_functional_convolution_with_its_parameters()
    {
        using var layer = new Conv2d(2, 3, 3, stride: 2, padding: 1);
        using var x = Tensor.Rand([1, 2, 6, 6]);
        using var y = layer.Forward(x);
        using var expected = F.Conv2d(x, layer.Weight, layer.Bias, stride: (2, 2), padding: (1, 1));
        Assert.Equal(new long[] { 1, 3, 3, 3 }, y.Shape);
        Assert.Equal(expected.ToArray<float>(), y.ToArray<float>());
    }

    [Fact]
    public void LayerNorm_layer_starts_as_plain_normalization()
    {
        using var layer = new LayerNorm([4]);
        using var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 4);
        using var y = layer.Forward(x);
        using var expected = F.LayerNorm(x, [4]);
        TensorAssert.Close(TensorAssert.Values(expected), y, 1e-6);
        Assert.Equal(new[] { "weight", "bias" }, layer.NamedParameters().Select(pair => pair.Key));
    }

    [Fact]
    public void Flatten_layer_keeps_the_batch_dimension()
    {
        using var layer = new Flatten();
        using var x = Tensor.Zeros([5, 2, 3, 4]);
        using var y = layer.Forward(x);
        Assert.Equal(new long[] { 5, 24 }, y.Shape);
    }

    [Fact]
    public void ResidualBlock_with_stride_two_halves_the_spatial_size_and_changes_the_width()
    {
        using var block = new ResidualBlock(4, 8, stride: 2);
        using var x = Tensor.Randn([2, 4, 8, 8]);
        using var y = block.Forward(x);
        Assert.Equal(new long[] { 2, 8, 4, 4 }, y.Shape);
        using var minimum = y.Min();
        Assert.True(minimum.Item() >= 0); // ends with a ReLU
        Assert.Contains("shortcut.0.weight", block.NamedParameters().Select(pair => pair.Key));
        Assert.Contains("shortcut.1.running_mean", block.NamedBuffers().Select(pair => pair.Key));
    }

    [Fact]
    public void ResidualBlock_with_equal_width_and_stride_one_has_an_identity_shortcut()
    {
        using var block = new ResidualBlock(4, 4);
        using var x = Tensor.Randn([2, 4, 5, 5]);
        using var y = block.Forward(x);
        Assert.Equal(new long[] { 2, 4, 5, 5 }, y.Shape);
        Assert.DoesNotContain(block.NamedParameters(), pair => pair.Key.StartsWith("shortcut", StringComparison.Ordinal));
        // conv1 4·4·9 + bn1 2·4 + conv2 4·4·9 + bn2 2·4
        Assert.Equal(2 * 144 + 2 * 8, block.ParameterCount());
    }

    [Fact]
    public void ResidualBlock_inside_a_dispose_scope_returns_a_tensor_owned_by_that_scope()
    {
        using var block = new ResidualBlock(2, 2);
        using var x = Tensor.Randn([1, 2, 4, 4]);
        Tensor y;
        using (var scope = DisposeScope.Enter())
        {
            y = block.Forward(x);
            Assert.False(y.IsDisposed);
        }
        Assert.True(y.IsDisposed);
    }
}
