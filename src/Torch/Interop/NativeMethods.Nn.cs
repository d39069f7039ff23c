using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int fd_linear(TensorHandle x, TensorHandle weight, TensorHandle bias, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_conv2d(TensorHandle x, TensorHandle weight, TensorHandle bias, long* stride, long* padding, long* dilation, long groups, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_max_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_avg_pool2d(TensorHandle x, long* kernel, long* stride, long* padding, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_adaptive_avg_pool2d(TensorHandle x, long* outputSize, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_batch_norm(TensorHandle x, TensorHandle weight, TensorHandle bias, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_layer_norm(TensorHandle x, long* normalizedShape, int ndim, TensorHandle weight, TensorHandle bias, double eps, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_dropout(TensorHandle x, double p, int training, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_softmax(TensorHandle x, long dim, int log, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, double labelSmoothing, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_nll_loss(TensorHandle input, TensorHandle target, TensorHandle weight, int reduction, long ignoreIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_kl_div(TensorHandle input, TensorHandle target, int reduction, int logTarget, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_mse_loss(TensorHandle input, TensorHandle target, int reduction, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_cosine_similarity(TensorHandle a, TensorHandle b, long dim, double eps, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_cdist(TensorHandle a, TensorHandle b, out IntPtr result);
}
