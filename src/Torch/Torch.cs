using System.Runtime.InteropServices;
using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

/// <summary>Process-wide libtorch settings: seeding, threads, devices.</summary>
public static class Torch
{
    /// <summary>The libtorch version the native shim was built against, e.g. "1.13.0".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.fd_torch_version()) ?? "unknown";

    /// <summary>Seeds libtorch's generators (CPU and, where present, CUDA) for reproducible runs.</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.Check(NativeMethods.fd_manual_seed(seed));

    /// <summary>
    /// The number of threads libtorch's intra-op parallelism uses (GEMM, convolution, element-wise
    /// kernels). Debian's libtorch starts at 1 regardless of the core count, so set it explicitly.
    /// </summary>
    public static int Threads
    {
        get => NativeMethods.fd_get_num_threads();
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            NativeMethods.Check(NativeMethods.fd_set_num_threads(value));
        }
    }

    /// <summary>Number of CUDA devices libtorch can use; 0 with a CPU-only libtorch.</summary>
    public static int CudaDeviceCount => NativeMethods.fd_cuda_device_count();

    /// <summary>True when at least one CUDA device is usable.</summary>
    public static bool IsCudaAvailable => CudaDeviceCount > 0;
}
