using System.Runtime.InteropServices;

namespace FedDistill.Torch.Interop;

internal static unsafe partial class NativeMethods
{
    [LibraryImport(LibraryName)]
    internal static partial int fd_unary(int op, TensorHandle a, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_binary(int op, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_binary_scalar(int op, TensorHandle a, double b, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_add_scaled(TensorHandle a, TensorHandle b, double alpha, int inPlace, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_clamp(TensorHandle a, double min, double max, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_where(TensorHandle condition, TensorHandle a, TensorHandle b, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_reduce(int op, TensorHandle a, long* dims, int ndims, int keepdim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_topk(TensorHandle a, long k, long dim, int largest, out IntPtr values, out IntPtr indices);

    [LibraryImport(LibraryName)]
    internal static partial int fd_sort(TensorHandle a, long dim, int descending, out IntPtr values, out IntPtr indices);

    [LibraryImport(LibraryName)]
    internal static partial int fd_view(TensorHandle a, long* shape, int ndim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_reshape(TensorHandle a, long* shape, int ndim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_expand(TensorHandle a, long* shape, int ndim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_permute(TensorHandle a, long* dims, int ndim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_transpose(TensorHandle a, long dim0, long dim1, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_squeeze(TensorHandle a, long dim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_unsqueeze(TensorHandle a, long dim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_flatten(TensorHandle a, long startDim, long endDim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_narrow(TensorHandle a, long dim, long start, long length, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_index_select(TensorHandle a, long dim, TensorHandle index, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_gather(TensorHandle a, long dim, TensorHandle index, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_cat(IntPtr* tensors, int count, long dim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_stack(IntPtr* tensors, int count, long dim, out IntPtr result);

    [LibraryImport(LibraryName)]
    internal static partial int fd_one_hot(TensorHandle labels, long classes, out IntPtr result);
}
