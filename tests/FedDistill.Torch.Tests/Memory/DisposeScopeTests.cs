namespace FedDistill.Torch.Tests.Memory;

public sealed class DisposeScopeTests
{
    [Fact]
    public void Tensors_created_in_a_scope_are_disposed_when_it_closes()
    {
        Tensor a, b, sum;
        using (var scope = DisposeScope.Enter())
        {
            a = Tensor.Ones([2]);
            b = Tensor.Full([2], 3);
            sum = a + b;
            Assert.Same(scope, DisposeScope.Current);
            Assert.Equal(3, scope.Count);
            Assert.False(sum.IsDisposed);
        }
        Assert.True(a.IsDisposed);
        Assert.True(b.IsDisposed);
        Assert.True(sum.IsDisposed);
    }

    [Fact]
    public void A_scope_leaves_tensors_created_before_it_alone()
    {
        using var outside = Tensor.Ones([2]);
        using (DisposeScope.Enter())
        {
            using var inside = outside * 2;
        }
        Assert.False(outside.IsDisposed);
        Assert.Equal(new float[] { 1, 1 }, outside.ToArray<float>());
    }

    [Fact]
    public void MoveToOuter_without_an_enclosing_scope_hands_the_tensor_to_the_caller()
    {
        Tensor kept, dropped;
        using (var scope = DisposeScope.Enter())
        {
            dropped = Tensor.Ones([2]);
            kept = scope.MoveToOuter(dropped * 5);
            Assert.Equal(1, scope.Count);
        }
        using (kept)
        {
            Assert.True(dropped.IsDisposed);
            Assert.False(kept.IsDisposed);
            Assert.Equal(new float[] { 5, 5 }, kept.ToArray<float>());
        }
    }

    [Fact]
    public void MoveToOuter_hands_the_tensor_to_the_enclosing_scope_which_frees_it_later()
    {
        Tensor moved;
        using (var outer = DisposeScope.Enter())
        {
            using (var inner = DisposeScope.Enter())
            {
                moved = inner.MoveToOuter(Tensor.Ones([1]));
                Assert.Equal(0, inner.Count);
            }
            Assert.Same(outer, DisposeScope.Current);
            Assert.False(moved.IsDisposed);
            Assert.Equal(1, outer.Count);
        }
        Assert.True(moved.IsDisposed);
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void MoveToOuterDisposeScope_moves_a_tensor_out_of_the_scope_it_was_created_in()
    {
        Tensor moved;
        using (DisposeScope.Enter()) moved = Tensor.Ones([1]).MoveToOuterDisposeScope();
        using (moved) Assert.False(moved.IsDisposed);
    }

    [Fact]
    public void MoveToOuter_of_a_tensor_from_another_scope_throws()
    {
        using var stranger = Tensor.Ones([1]);
        using var scope = DisposeScope.Enter();
        Assert.Throws<InvalidOperationException>(() => scope.MoveToOuter(stranger));
    }

    [Fact]
    public void DetachFromDisposeScope_hands_ownership_to_the_caller()
    {
        Tensor detached;
        using (var scope = DisposeScope.Enter())
        {
            detached = Tensor.Full([2], 4).DetachFromDisposeScope();
            Assert.Equal(0, scope.Count);
        }
        Assert.False(detached.IsDisposed);
        Assert.Equal(new float[] { 4, 4 }, detached.ToArray<float>());
        detached.Dispose();
        Assert.True(detached.IsDisposed);
    }

    [Fact]
    public void Gradients_read_inside_a_scope_are_freed_with_it_without_touching_the_parameter()
    {
        using var weight = Tensor.Ones([2]);
        weight.RequiresGrad = true;
        using (var loss = weight.Sum()) loss.Backward();
        Tensor grad;
        using (DisposeScope.Enter()) grad = weight.Grad!;
        Assert.True(grad.IsDisposed);
        using var again = weight.Grad!;
        Assert.Equal(new float[] { 1, 1 }, again.ToArray<float>());
    }

    [Fact]
    public void A_tensor_disposed_early_inside_a_scope_is_not_freed_twice()
    {
        using (DisposeScope.Enter())
        {
            var early = Tensor.Ones([1]);
            early.Dispose();
            Assert.True(early.IsDisposed);
        }
        Assert.Null(DisposeScope.Current);
    }

    [Fact]
    public void Closing_scopes_out_of_order_throws_and_leaves_no_closed_scope_current()
    {
        // Run on a thread of its own: the current scope is per thread, and a failure here must
        // not leave a closed scope current on a thread xunit reuses for other tests.
        DisposeScope? currentAfterwards = null;
        Exception? misuse = null;
        var worker = new Thread(() =>
        {
            var outer = DisposeScope.Enter();
            var inner = DisposeScope.Enter();
            misuse = Record.Exception(outer.Dispose);
            inner.Dispose();
            currentAfterwards = DisposeScope.Current;
        });
        worker.Start();
        worker.Join();

        Assert.IsType<InvalidOperationException>(misuse);
        // Otherwise every later tensor of the thread registers in a closed scope that never frees it.
        Assert.Null(currentAfterwards);
    }
}
