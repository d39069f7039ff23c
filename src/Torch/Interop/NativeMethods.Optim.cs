using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int fd_sgd_new(IntPtr* parameters, int count, double lr, double momentum, double dampening, double weightDecay, int nesterov, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_adam_new(IntPtr* parameters, int count, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int decoupled, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_optimizer_step(OptimizerHandle optimizer);

    [LibraryImport(LibraryName)]
    internal static partial int fd_optimizer_zero_grad(OptimizerHandle optimizer);

    [LibraryImport(LibraryName)]
    internal static partial int fd_optimizer_set_lr(OptimizerHandle optimizer, double lr);

    [LibraryImport(LibraryName)]
    internal static partial void fd_optimizer_free(IntPtr optimizer);
}
