using System.Runtime.InteropServices;
using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

/// <summary>
/// An n-dimensional array computed by libtorch. Each instance owns one native reference and
/// frees it when disposed (or when the <see cref="DisposeScope"/> it was created in closes);
/// views share storage with the tensor they came from.
/// </summary>
/// <remarks>
/// Every operation that returns a tensor returns a new instance the caller owns. Operations that
/// libtorch rejects (mismatched shapes, wrong dtypes) throw <see cref="TorchException"/> with
/// libtorch's message and leave their inputs unchanged.
/// </remarks>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;

    private Tensor(TensorHandle handle)
    {
        _handle = handle;
        Scope = DisposeScope.Current;
        Scope?.Register(this);
    }

    /// <summary>The dispose scope that will free this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    internal TensorHandle Handle
    {
        get
        {
            ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
            return _handle;
        }
    }

    /// <summary>Wraps a native result, throwing the native error when the call failed.</summary>
    internal static Tensor FromNative(int status, IntPtr result)
    {
        NativeMethods.Check(status);
        return new Tensor(new TensorHandle(result));
    }

    /// <summary>Wraps a native result that may legitimately be null (an absent gradient).</summary>
    internal static Tensor? FromNativeOrNull(int status, IntPtr result)
    {
        NativeMethods.Check(status);
        return result == IntPtr.Zero ? null : new Tensor(new TensorHandle(result));
    }

    /// <summary>True once the native reference has been released.</summary>
    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Dimensions => NativeMethods.fd_tensor_ndim(Handle);

    /// <summary>Size of each dimension; a fresh array each call.</summary>
    public unsafe long[] Shape
    {
        get
        {
            var shape = new long[Dimensions];
            fixed (long* pointer = shape)
                NativeMethods.Check(NativeMethods.fd_tensor_shape(Handle, pointer, shape.Length));
            return shape;
        }
    }

    /// <summary>Size of dimension <paramref name="dimension"/>; negative values count from the end.</summary>
    public long Size(int dimension)
    {
        var shape = Shape;
        var index = dimension < 0 ? dimension + shape.Length : dimension;
        if ((uint)index >= (uint)shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"The tensor has {shape.Length} dimensions.");
        return shape[index];
    }

    /// <summary>Total number of elements.</summary>
    public long ElementCount => NativeMethods.fd_tensor_numel(Handle);

    /// <summary>Element type.</summary>
    public DType DType => (DType)NativeMethods.fd_tensor_dtype(Handle);

    /// <summary>The device holding the elements.</summary>
    public Device Device
    {
        get
        {
            NativeMethods.Check(NativeMethods.fd_tensor_device(Handle, out var type, out var index));
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>Releases the native reference now. Idempotent.</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Shape and dtype, e.g. <c>Tensor[256, 10] Float32 cpu</c>; never the elements.</summary>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor[{string.Join(", ", Shape)}] {DType} {Device}";

    // ---- creation from host memory ----

    /// <summary>
    /// Copies <paramref name="data"/> into a new tensor of the given shape (one copy; the tensor
    /// does not alias the span).
    /// </summary>
    /// <exception cref="TorchException">The element count does not match the shape.</exception>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null) where T : unmanaged
    {
        var dtype = DTypeExtensions.Of<T>();
        var target = device ?? Device.Cpu;
        fixed (T* pointer = data)
        fixed (long* shapePointer = shape)
        {
            var status = NativeMethods.fd_tensor_from_data(pointer, (long)data.Length * sizeof(T), shapePointer, shape.Length,
                (int)dtype, (int)target.Type, target.Index, out var result);
            return FromNative(status, result);
        }
    }

    /// <summary>Copies an array into a new tensor; without a shape, a vector of its length.</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);
    }

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar<T>(T value) where T : unmanaged => FromSpan<T>([value], ReadOnlySpan<long>.Empty);

    /// <summary>Copies raw little-endian element bytes of any dtype (bfloat16 included) into a new tensor.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, ReadOnlySpan<long> shape, Device? device = null)
    {
        var target = device ?? Device.Cpu;
        fixed (byte* pointer = bytes)
        fixed (long* shapePointer = shape)
        {
            var status = NativeMethods.fd_tensor_from_data(pointer, bytes.Length, shapePointer, shape.Length,
                (int)dtype, (int)target.Type, target.Index, out var result);
            return FromNative(status, result);
        }
    }

    // ---- copying to host memory ----

    /// <summary>Copies the elements (row-major, moved to the CPU if needed) into <paramref name="destination"/>, whose length must equal <see cref="ElementCount"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        RequireDType(DTypeExtensions.Of<T>());
        fixed (T* pointer = destination)
            NativeMethods.Check(NativeMethods.fd_tensor_copy_to(Handle, pointer, (long)destination.Length * sizeof(T)));
    }

    /// <summary>The elements in row-major order as a new array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        RequireDType(DTypeExtensions.Of<T>());
        var result = new T[checked((int)ElementCount)];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The raw little-endian bytes of the elements in row-major order.</summary>
    public unsafe byte[] ToBytes()
    {
        var result = new byte[checked((int)(ElementCount * DType.ElementSize()))];
        fixed (byte* pointer = result)
            NativeMethods.Check(NativeMethods.fd_tensor_copy_to(Handle, pointer, result.Length));
        return result;
    }

    /// <summary>Overwrites the elements in place from host memory without recording autograd history.</summary>
    public unsafe void CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        RequireDType(DTypeExtensions.Of<T>());
        fixed (T* pointer = source)
            NativeMethods.Check(NativeMethods.fd_tensor_copy_from(Handle, pointer, (long)source.Length * sizeof(T)));
    }

    /// <summary>The value of a one-element tensor, converted to double.</summary>
    public double Item()
    {
        NativeMethods.Check(NativeMethods.fd_tensor_item(Handle, out var value));
        return value;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ItemSingle() => (float)Item();

    private void RequireDType(DType expected)
    {
        var actual = DType;
        if (actual != expected)
            throw new InvalidOperationException($"The tensor holds {actual} elements, not {expected}; convert it with To({expected}) first.");
    }

    /// <summary>Native handle of each tensor, for array-taking exports; callers keep the tensors alive.</summary>
    internal static IntPtr[] RawHandles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle.DangerousGetHandle();
        return handles;
    }
}
