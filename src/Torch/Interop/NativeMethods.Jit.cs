using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fd_script_load(string path, int deviceType, int deviceIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial void fd_script_free(IntPtr module);

    [LibraryImport(LibraryName)]
    internal static partial int fd_script_forward(ScriptModuleHandle module, IntPtr* inputs, int count, IntPtr* outputs, int capacity, out int outputCount);

    [LibraryImport(LibraryName)]
    internal static partial IntPtr fd_script_output_name(int index);

    [LibraryImport(LibraryName)]
    internal static partial int fd_script_named_tensors(ScriptModuleHandle module, int kind, out int count);

    [LibraryImport(LibraryName)]
    internal static partial int fd_script_named_tensor(ScriptModuleHandle module, int kind, int index, out IntPtr name, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_script_train(ScriptModuleHandle module, int on);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int fd_script_save(ScriptModuleHandle module, string path);

    [LibraryImport(LibraryName)]
    internal static partial int fd_script_to(ScriptModuleHandle module, int deviceType, int deviceIndex);
}
