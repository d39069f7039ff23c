using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

public sealed partial class Tensor
{
    private static unsafe Tensor Factory(FactoryKind kind, ReadOnlySpan<long> shape, DType dtype, Device? device, double a = 0, double b = 0)
    {
        var target = device ?? Device.Cpu;
        fixed (long* pointer = shape)
        {
            var status = NativeMethods.fd_tensor_factory((int)kind, pointer, shape.Length, (int)dtype, (int)target.Type, target.Index, a, b, out var result);
            return FromNative(status, result);
        }
    }

    /// <summary>An uninitialized tensor (contents are arbitrary).</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Empty, shape, dtype, device);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Zeros, shape, dtype, device);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Ones, shape, dtype, device);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Full, shape, dtype, device, value);

    /// <summary>Uniform samples from [0, 1), drawn from libtorch's generator (see <see cref="Torch.ManualSeed"/>).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Rand, shape, dtype, device);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Randn, shape, dtype, device);

    /// <summary>Uniform samples from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(ReadOnlySpan<long> shape, double low, double high, DType dtype = DType.Float32, Device? device = null) => Factory(FactoryKind.Uniform, shape, dtype, device, low, high);

    /// <summary>Values from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive) in steps.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType? dtype = null, Device? device = null)
    {
        var target = device ?? Device.Cpu;
        // As torch.arange: int64 when every argument is a whole number, else the default float type.
        var inferred = dtype ?? (double.IsInteger(start) && double.IsInteger(end) && double.IsInteger(step) ? DType.Int64 : DType.Float32);
        var status = NativeMethods.fd_tensor_arange(start, end, step, (int)inferred, (int)target.Type, target.Index, out var result);
        return FromNative(status, result);
    }

    /// <summary>Uniform random int64 values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static unsafe Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, Device? device = null)
    {
        var target = device ?? Device.Cpu;
        fixed (long* pointer = shape)
        {
            var status = NativeMethods.fd_tensor_randint(low, high, pointer, shape.Length, (int)target.Type, target.Index, out var result);
            return FromNative(status, result);
        }
    }
}
