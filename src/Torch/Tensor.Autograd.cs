using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor so gradients reach it.</summary>
    public bool RequiresGrad
    {
        get
        {
            NativeMethods.Check(NativeMethods.fd_tensor_requires_grad(Handle, out var value));
            return value != 0;
        }
        set => NativeMethods.Check(NativeMethods.fd_tensor_set_requires_grad(Handle, value ? 1 : 0));
    }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>, or null before any. Each call returns a
    /// new handle to the same storage, owned by the caller (or the current dispose scope).
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            var status = NativeMethods.fd_tensor_grad(Handle, out var result);
            return FromNativeOrNull(status, result);
        }
    }

    /// <summary>Drops the accumulated gradient so the next backward pass starts fresh.</summary>
    public void ClearGrad() => NativeMethods.Check(NativeMethods.fd_tensor_clear_grad(Handle));

    /// <summary>
    /// Back-propagates from this tensor, accumulating gradients into every leaf that requires
    /// them. A non-scalar tensor needs the upstream <paramref name="gradient"/>.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false) =>
        NativeMethods.Check(NativeMethods.fd_tensor_backward(Handle, gradient?.Handle ?? TensorHandle.Null, retainGraph ? 1 : 0));

    /// <summary>A tensor sharing storage with this one but cut from the autograd graph.</summary>
    public Tensor Detach()
    {
        var status = NativeMethods.fd_tensor_detach(Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>Copies <paramref name="source"/>'s values into this tensor in place (broadcasting).</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        NativeMethods.Check(NativeMethods.fd_tensor_copy_(Handle, source.Handle));
    }

    /// <summary>
    /// Removes this tensor from the dispose scope it was created in: the caller now owns it and
    /// must dispose it. Returns this tensor.
    /// </summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Unregister(this);
        Scope = null;
        return this;
    }

    /// <summary>Moves this tensor to the scope enclosing the one it was created in (or to the caller). Returns it.</summary>
    public Tensor MoveToOuterDisposeScope() => Scope is null ? this : Scope.MoveToOuter(this);
}
