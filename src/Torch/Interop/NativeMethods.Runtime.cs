using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

/// <summary>
/// Source-generated bindings of feddistill_torch.h, one partial file per native source file.
/// Only this layer touches raw pointers.
/// </summary>
internal static partial class NativeMethods
{
    /// <summary>The name the resolver maps to libfeddistill_torch.so.</summary>
    public const string LibraryName = "feddistill_torch";

    /// <summary>The FD_ABI_VERSION this binding was written against.</summary>
    public const int AbiVersion = 1;

    [LibraryImport(LibraryName)]
    internal static partial IntPtr fd_last_error();

    [LibraryImport(LibraryName)]
    internal static partial IntPtr fd_torch_version();

    [LibraryImport(LibraryName)]
    internal static partial int fd_manual_seed(ulong seed);

    [LibraryImport(LibraryName)]
    internal static partial int fd_set_num_threads(int threads);

    [LibraryImport(LibraryName)]
    internal static partial int fd_get_num_threads();

    [LibraryImport(LibraryName)]
    internal static partial int fd_cuda_device_count();

    [LibraryImport(LibraryName)]
    internal static partial int fd_set_grad_enabled(int enabled, out int previous);

    /// <summary>Throws a <see cref="TorchException"/> carrying the native message when a call failed.</summary>
    internal static void Check(int status)
    {
        if (status != 0) ThrowLastError(status);
    }

    private static void ThrowLastError(int status)
    {
        var message = Marshal.PtrToStringUTF8(fd_last_error()) ?? "unknown native error";
        throw new TorchException(message, status);
    }
}
