using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

public sealed partial class Tensor
{
    private unsafe delegate int ShapeCall(TensorHandle handle, long* values, int count, out IntPtr result);

    private unsafe Tensor WithShape(ShapeCall call, ReadOnlySpan<long> values)
    {
        fixed (long* pointer = values)
        {
            var status = call(Handle, pointer, values.Length, out var result);
            return FromNative(status, result);
        }
    }

    /// <summary>A view with a new shape sharing storage (one dimension may be -1). Fails on non-contiguous layouts; see <see cref="Reshape"/>.</summary>
    public unsafe Tensor View(params ReadOnlySpan<long> shape) => WithShape(NativeMethods.fd_view, shape);

    /// <summary>A tensor with a new shape: a view when possible, else a copy.</summary>
    public unsafe Tensor Reshape(params ReadOnlySpan<long> shape) => WithShape(NativeMethods.fd_reshape, shape);

    /// <summary>A broadcast view with size-1 dimensions expanded (-1 keeps a size).</summary>
    public unsafe Tensor Expand(params ReadOnlySpan<long> shape) => WithShape(NativeMethods.fd_expand, shape);

    /// <summary>A view with dimensions reordered.</summary>
    public unsafe Tensor Permute(params ReadOnlySpan<long> dimensions) => WithShape(NativeMethods.fd_permute, dimensions);

    /// <summary>A view with two dimensions swapped.</summary>
    public Tensor Transpose(long dimension0, long dimension1)
    {
        var status = NativeMethods.fd_transpose(Handle, dimension0, dimension1, out var result);
        return FromNative(status, result);
    }

    /// <summary>Removes a dimension of size 1.</summary>
    public Tensor Squeeze(long dimension)
    {
        var status = NativeMethods.fd_squeeze(Handle, dimension, out var result);
        return FromNative(status, result);
    }

    /// <summary>Inserts a dimension of size 1.</summary>
    public Tensor Unsqueeze(long dimension)
    {
        var status = NativeMethods.fd_unsqueeze(Handle, dimension, out var result);
        return FromNative(status, result);
    }

    /// <summary>Merges dimensions <paramref name="startDimension"/>..<paramref name="endDimension"/> into one.</summary>
    public Tensor Flatten(long startDimension = 0, long endDimension = -1)
    {
        var status = NativeMethods.fd_flatten(Handle, startDimension, endDimension, out var result);
        return FromNative(status, result);
    }

    /// <summary>A view of <paramref name="length"/> entries of one dimension starting at <paramref name="start"/>.</summary>
    public Tensor Narrow(long dimension, long start, long length)
    {
        var status = NativeMethods.fd_narrow(Handle, dimension, start, length, out var result);
        return FromNative(status, result);
    }

    /// <summary>Copies the entries of one dimension selected by an int64 index vector.</summary>
    public Tensor IndexSelect(long dimension, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var status = NativeMethods.fd_index_select(Handle, dimension, index.Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>Gathers values along a dimension at int64 indices of the same rank.</summary>
    public Tensor Gather(long dimension, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var status = NativeMethods.fd_gather(Handle, dimension, index.Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>A contiguous tensor with the same values (this one's storage when already contiguous).</summary>
    public Tensor Contiguous()
    {
        var status = NativeMethods.fd_tensor_contiguous(Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>A deep copy that keeps autograd history.</summary>
    public Tensor Clone()
    {
        var status = NativeMethods.fd_tensor_clone(Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>Converts the element type.</summary>
    public Tensor To(DType dtype) => To(dtype, Device);

    /// <summary>Moves the tensor to a device.</summary>
    public Tensor To(Device device) => To(DType, device);

    /// <summary>Converts the element type and moves to a device in one step.</summary>
    public Tensor To(DType dtype, Device device)
    {
        var status = NativeMethods.fd_tensor_to(Handle, (int)dtype, (int)device.Type, device.Index, out var result);
        return FromNative(status, result);
    }

    /// <summary>One-hot encodes int64 labels into <paramref name="classes"/> columns (int64).</summary>
    public Tensor OneHot(long classes)
    {
        var status = NativeMethods.fd_one_hot(Handle, classes, out var result);
        return FromNative(status, result);
    }

    /// <summary>Concatenates tensors along an existing dimension.</summary>
    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dimension = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = RawHandles(tensors);
        fixed (IntPtr* pointer = handles)
        {
            var status = NativeMethods.fd_cat(pointer, handles.Length, dimension, out var result);
            GC.KeepAlive(tensors);
            return FromNative(status, result);
        }
    }

    /// <summary>Stacks tensors of equal shape along a new dimension.</summary>
    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dimension = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = RawHandles(tensors);
        fixed (IntPtr* pointer = handles)
        {
            var status = NativeMethods.fd_stack(pointer, handles.Length, dimension, out var result);
            GC.KeepAlive(tensors);
            return FromNative(status, result);
        }
    }
}
