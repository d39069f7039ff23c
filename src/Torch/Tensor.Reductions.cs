using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

public sealed partial class Tensor
{
    private unsafe Tensor Reduce(ReduceOp op, ReadOnlySpan<long> dimensions, bool keepDimensions)
    {
        fixed (long* pointer = dimensions)
        {
            var status = NativeMethods.fd_reduce((int)op, Handle, pointer, dimensions.Length, keepDimensions ? 1 : 0, out var result);
            return FromNative(status, result);
        }
    }

    /// <summary>Sum of all elements (a scalar tensor).</summary>
    public Tensor Sum() => Reduce(ReduceOp.Sum, [], false);
    /// <summary>Sum over the given dimensions.</summary>
    public Tensor Sum(ReadOnlySpan<long> dimensions, bool keepDimensions = false) => Reduce(ReduceOp.Sum, dimensions, keepDimensions);
    /// <summary>Sum over one dimension.</summary>
    public Tensor Sum(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.Sum, [dimension], keepDimensions);
    /// <summary>Mean of all elements.</summary>
    public Tensor Mean() => Reduce(ReduceOp.Mean, [], false);
    /// <summary>Mean over the given dimensions.</summary>
    public Tensor Mean(ReadOnlySpan<long> dimensions, bool keepDimensions = false) => Reduce(ReduceOp.Mean, dimensions, keepDimensions);
    /// <summary>Mean over one dimension.</summary>
    public Tensor Mean(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.Mean, [dimension], keepDimensions);
    /// <summary>Maximum of all elements.</summary>
    public Tensor Max() => Reduce(ReduceOp.Amax, [], false);
    /// <summary>Maximum values over one dimension (see <see cref="ArgMax(long, bool)"/> for the indices).</summary>
    public Tensor Max(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.Amax, [dimension], keepDimensions);
    /// <summary>Minimum of all elements.</summary>
    public Tensor Min() => Reduce(ReduceOp.Amin, [], false);
    /// <summary>Minimum values over one dimension.</summary>
    public Tensor Min(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.Amin, [dimension], keepDimensions);
    /// <summary>Product of all elements.</summary>
    public Tensor Prod() => Reduce(ReduceOp.Prod, [], false);
    /// <summary>Unbiased variance over the given dimensions (all when empty).</summary>
    public Tensor Var(ReadOnlySpan<long> dimensions, bool keepDimensions = false) => Reduce(ReduceOp.Var, dimensions, keepDimensions);
    /// <summary>Unbiased standard deviation over the given dimensions (all when empty).</summary>
    public Tensor Std(ReadOnlySpan<long> dimensions, bool keepDimensions = false) => Reduce(ReduceOp.Std, dimensions, keepDimensions);
    /// <summary>log(sum(exp(x))) over one dimension, computed stably.</summary>
    public Tensor LogSumExp(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.LogSumExp, [dimension], keepDimensions);
    /// <summary>Euclidean (L2) norm of all elements.</summary>
    public Tensor Norm() => Reduce(ReduceOp.Norm, [], false);
    /// <summary>Euclidean norm over the given dimensions.</summary>
    public Tensor Norm(ReadOnlySpan<long> dimensions, bool keepDimensions = false) => Reduce(ReduceOp.Norm, dimensions, keepDimensions);
    /// <summary>Index of the largest element of the flattened tensor.</summary>
    public Tensor ArgMax() => Reduce(ReduceOp.ArgMax, [], false);
    /// <summary>Indices (int64) of the largest values along a dimension.</summary>
    public Tensor ArgMax(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.ArgMax, [dimension], keepDimensions);
    /// <summary>Indices (int64) of the smallest values along a dimension.</summary>
    public Tensor ArgMin(long dimension, bool keepDimensions = false) => Reduce(ReduceOp.ArgMin, [dimension], keepDimensions);

    /// <summary>The <paramref name="k"/> largest (or smallest) values along a dimension, sorted, with their indices.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dimension = -1, bool largest = true)
    {
        var status = NativeMethods.fd_topk(Handle, k, dimension, largest ? 1 : 0, out var values, out var indices);
        NativeMethods.Check(status);
        return (FromNative(0, values), FromNative(0, indices));
    }

    /// <summary>Sorts along a dimension, returning values and the permutation indices.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dimension = -1, bool descending = false)
    {
        var status = NativeMethods.fd_sort(Handle, dimension, descending ? 1 : 0, out var values, out var indices);
        NativeMethods.Check(status);
        return (FromNative(0, values), FromNative(0, indices));
    }
}
