using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

/// <summary>Owns one native TorchScript module.</summary>
internal sealed class ScriptModuleHandle : SafeHandle
{
    public ScriptModuleHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public ScriptModuleHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.fd_script_free(handle);
        return true;
    }
}
