using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

/// <summary>Owns one native <c>fd_tensor</c> reference.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>A shared invalid handle that stands for a null optional tensor; never released.</summary>
    public static readonly TensorHandle Null = new();

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.fd_tensor_free(handle);
        return true;
    }
}
