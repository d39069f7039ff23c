namespace FedDistill.Torch.Tests.Autograd;

public sealed class GradientStateTests
{
    [Fact]
    public void A_new_tensor_does_not_require_grad_and_has_no_gradient()
    {
        using var x = Tensor.Ones([2]);
        Assert.False(x.RequiresGrad);
        Assert.Null(x.Grad);
        x.RequiresGrad = true;
        Assert.True(x.RequiresGrad);
        Assert.Null(x.Grad); // still none before any backward pass
    }

    [Fact]
    public void Backward_of_a_sum_of_squares_gives_twice_the_input()
    {
        using var x = Tensor.FromArray(new float[] { 1, -2, 3 });
        x.RequiresGrad = true;
        using var square = x.Square();
        using var loss = square.Sum();
        loss.Backward();
        using var grad = x.Grad!;
        Assert.Equal(new float[] { 2, -4, 6 }, grad.ToArray<float>());
    }

    [Fact]
    public void Backward_with_an_upstream_gradient_scales_each_element()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2 });
        x.RequiresGrad = true;
        using var y = x * 3;
        using var upstream = Tensor.FromArray(new float[] { 1, 10 });
        y.Backward(upstream);
        using var grad = x.Grad!;
        Assert.Equal(new float[] { 3, 30 }, grad.ToArray<float>());
    }

    [Fact]
    public void Gradients_accumulate_until_ClearGrad_drops_them()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2 });
        x.RequiresGrad = true;
        using var scaled = x * 5;
        using var y = scaled.Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        using (var grad = x.Grad!) Assert.Equal(new float[] { 10, 10 }, grad.ToArray<float>());
        x.ClearGrad();
        Assert.Null(x.Grad);
    }

    [Fact]
    public void A_second_backward_without_retained_graph_throws_TorchException()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2 });
        x.RequiresGrad = true;
        using var exp = x.Exp();
        using var y = exp.Sum();
        y.Backward();
        Assert.Throws<TorchException>(() => y.Backward());
    }

    [Fact]
    public void Detach_cuts_the_graph_but_keeps_the_values()
    {
        using var x = Tensor.FromArray(new float[] { 1, 2 });
        x.RequiresGrad = true;
        using var doubled = x * 2;
        using var detached = doubled.Detach();
        Assert.False(detached.RequiresGrad);
        Assert.Equal(new float[] { 2, 4 }, detached.ToArray<float>());

        // loss = Σ (2x + stop(2x)·x): the gradient is 2 + stop(2x) = 2 + 2x, not 2 + 4x.
        using var product = detached * x;
        using var total = doubled + product;
        using var loss = total.Sum();
        loss.Backward();
        using var grad = x.Grad!;
        Assert.Equal(new float[] { 4, 6 }, grad.ToArray<float>());
    }

    [Fact]
    public void NoGradScope_stops_recording_inside_and_restores_it_after()
    {
        using var x = Tensor.Ones([2]);
        x.RequiresGrad = true;
        using (NoGradScope.Enter())
        {
            using var inside = x * 2;
            Assert.False(inside.RequiresGrad);
            using (NoGradScope.Enter())
            {
                using var nested = x * 2;
                Assert.False(nested.RequiresGrad);
            }
            using var afterNested = x * 2;
            Assert.False(afterNested.RequiresGrad); // the inner scope restored "disabled", not "enabled"
        }
        using var outside = x * 2;
        Assert.True(outside.RequiresGrad);
    }
}
