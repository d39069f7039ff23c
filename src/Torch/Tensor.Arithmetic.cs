using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

public sealed partial class Tensor
{
    private Tensor Unary(UnaryOp op)
    {
        var status = NativeMethods.fd_unary((int)op, Handle, out var result);
        return FromNative(status, result);
    }

    private Tensor Binary(BinaryOp op, Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var status = NativeMethods.fd_binary((int)op, Handle, other.Handle, out var result);
        return FromNative(status, result);
    }

    private Tensor Binary(BinaryOp op, double scalar)
    {
        var status = NativeMethods.fd_binary_scalar((int)op, Handle, scalar, out var result);
        return FromNative(status, result);
    }

    /// <summary>Element-wise sum with broadcasting.</summary>
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, other);
    /// <summary>Adds a scalar to every element.</summary>
    public Tensor Add(double scalar) => Binary(BinaryOp.Add, scalar);
    /// <summary>this + alpha * other, as one fused libtorch call.</summary>
    public Tensor Add(Tensor other, double alpha)
    {
        ArgumentNullException.ThrowIfNull(other);
        var status = NativeMethods.fd_add_scaled(Handle, other.Handle, alpha, 0, out var result);
        return FromNative(status, result);
    }
    /// <summary>In place: this += alpha * other. Returns this.</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        ArgumentNullException.ThrowIfNull(other);
        NativeMethods.Check(NativeMethods.fd_add_scaled(Handle, other.Handle, alpha, 1, out _));
        return this;
    }
    /// <summary>Element-wise difference with broadcasting.</summary>
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, other);
    /// <summary>Subtracts a scalar from every element.</summary>
    public Tensor Sub(double scalar) => Binary(BinaryOp.Sub, scalar);
    /// <summary>Element-wise product with broadcasting.</summary>
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, other);
    /// <summary>Multiplies every element by a scalar.</summary>
    public Tensor Mul(double scalar) => Binary(BinaryOp.Mul, scalar);
    /// <summary>Element-wise quotient with broadcasting (true division).</summary>
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, other);
    /// <summary>Divides every element by a scalar.</summary>
    public Tensor Div(double scalar) => Binary(BinaryOp.Div, scalar);
    /// <summary>Element-wise power.</summary>
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    /// <summary>Raises every element to a scalar power.</summary>
    public Tensor Pow(double exponent) => Binary(BinaryOp.Pow, exponent);
    /// <summary>Element-wise remainder (sign of the divisor, as Python's %).</summary>
    public Tensor Remainder(double divisor) => Binary(BinaryOp.Remainder, divisor);
    /// <summary>Matrix product with numpy/torch.matmul broadcasting rules.</summary>
    public Tensor MatMul(Tensor other) => Binary(BinaryOp.MatMul, other);
    /// <summary>Element-wise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    /// <summary>Element-wise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    /// <summary>Clamps every element to [min, max]; pass null to leave a side open.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        var status = NativeMethods.fd_clamp(Handle, min ?? double.NaN, max ?? double.NaN, out var result);
        return FromNative(status, result);
    }

    /// <summary>Negation.</summary>
    public Tensor Neg() => Unary(UnaryOp.Neg);
    /// <summary>Natural exponential.</summary>
    public Tensor Exp() => Unary(UnaryOp.Exp);
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryOp.Log);
    /// <summary>log(1 + x), accurate near zero.</summary>
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    /// <summary>Reciprocal square root.</summary>
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    /// <summary>Element-wise square.</summary>
    public Tensor Square() => Unary(UnaryOp.Square);
    /// <summary>Absolute value.</summary>
    public Tensor Abs() => Unary(UnaryOp.Abs);
    /// <summary>Sign (-1, 0 or 1).</summary>
    public Tensor Sign() => Unary(UnaryOp.Sign);
    /// <summary>Logistic sigmoid.</summary>
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    /// <summary>Boolean mask of finite elements (not NaN, not infinite).</summary>
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    /// <summary>Boolean mask of NaN elements.</summary>
    public Tensor IsNan() => Unary(UnaryOp.IsNan);

    /// <summary>Element-wise equality (bool tensor).</summary>
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);
    /// <summary>Element-wise equality with a scalar.</summary>
    public Tensor Eq(double scalar) => Binary(BinaryOp.Eq, scalar);
    /// <summary>Element-wise inequality.</summary>
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);
    /// <summary>Element-wise less-than.</summary>
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);
    /// <summary>Element-wise less-than a scalar.</summary>
    public Tensor Lt(double scalar) => Binary(BinaryOp.Lt, scalar);
    /// <summary>Element-wise less-or-equal.</summary>
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);
    /// <summary>Element-wise greater-than.</summary>
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);
    /// <summary>Element-wise greater-than a scalar.</summary>
    public Tensor Gt(double scalar) => Binary(BinaryOp.Gt, scalar);
    /// <summary>Element-wise greater-or-equal.</summary>
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);
    /// <summary>Element-wise logical and of two bool tensors.</summary>
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    /// <summary>Element-wise logical or of two bool tensors.</summary>
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);

    /// <summary>Chooses from <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else from <paramref name="whenFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        var status = NativeMethods.fd_where(condition.Handle, whenTrue.Handle, whenFalse.Handle, out var result);
        return FromNative(status, result);
    }

    /// <summary>Element-wise sum.</summary>
    public static Tensor operator +(Tensor left, Tensor right) => left.Add(right);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(Tensor left, double right) => left.Add(right);
    /// <summary>Adds a scalar.</summary>
    public static Tensor operator +(double left, Tensor right) => right.Add(left);
    /// <summary>Element-wise difference.</summary>
    public static Tensor operator -(Tensor left, Tensor right) => left.Sub(right);
    /// <summary>Subtracts a scalar.</summary>
    public static Tensor operator -(Tensor left, double right) => left.Sub(right);
    /// <summary>Scalar minus tensor.</summary>
    public static Tensor operator -(double left, Tensor right)
    {
        using var negated = right.Neg().DetachFromDisposeScope();
        return negated.Add(left);
    }
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor value) => value.Neg();
    /// <summary>Element-wise product.</summary>
    public static Tensor operator *(Tensor left, Tensor right) => left.Mul(right);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(Tensor left, double right) => left.Mul(right);
    /// <summary>Multiplies by a scalar.</summary>
    public static Tensor operator *(double left, Tensor right) => right.Mul(left);
    /// <summary>Element-wise quotient.</summary>
    public static Tensor operator /(Tensor left, Tensor right) => left.Div(right);
    /// <summary>Divides by a scalar.</summary>
    public static Tensor operator /(Tensor left, double right) => left.Div(right);
}
