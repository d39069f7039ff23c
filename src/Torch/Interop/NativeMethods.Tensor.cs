using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial void fd_tensor_free(IntPtr tensor);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_from_data(void* data, long byteCount, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_factory(int kind, long* shape, int ndim, int dtype, int deviceType, int deviceIndex, double a, double b, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_randint(long low, long high, long* shape, int ndim, int deviceType, int deviceIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_ndim(TensorHandle tensor);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_shape(TensorHandle tensor, long* shape, int capacity);

    [LibraryImport(LibraryName)]
    internal static partial long fd_tensor_numel(TensorHandle tensor);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_dtype(TensorHandle tensor);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_device(TensorHandle tensor, out int deviceType, out int deviceIndex);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_copy_to(TensorHandle tensor, void* destination, long byteCount);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_copy_from(TensorHandle tensor, void* source, long byteCount);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_item(TensorHandle tensor, out double value);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_to(TensorHandle tensor, int dtype, int deviceType, int deviceIndex, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_clone(TensorHandle tensor, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_contiguous(TensorHandle tensor, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_detach(TensorHandle tensor, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_copy_(TensorHandle destination, TensorHandle source);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_requires_grad(TensorHandle tensor, out int value);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_set_requires_grad(TensorHandle tensor, int value);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_grad(TensorHandle tensor, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_clear_grad(TensorHandle tensor);

    [LibraryImport(LibraryName)]
    internal static partial int fd_tensor_backward(TensorHandle tensor, TensorHandle gradient, int retainGraph);
}
