namespace FedDistill.Torch.Interop;

/// <summary>Operation codes of fd_unary (fd_unary_op).</summary>
internal enum UnaryOp
{
    Neg = 0, Exp = 1, Log = 2, Sqrt = 3, Abs = 4, Relu = 5, Gelu = 6, Sigmoid = 7, Tanh = 8,
    Square = 9, Rsqrt = 10, IsFinite = 11, Log1p = 12, Sign = 13, IsNan = 14,
}

/// <summary>Operation codes of fd_binary and fd_binary_scalar (fd_binary_op).</summary>
internal enum BinaryOp
{
    Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, MatMul = 5, Eq = 6, Ne = 7, Lt = 8, Le = 9,
    Gt = 10, Ge = 11, Maximum = 12, Minimum = 13, LogicalAnd = 14, LogicalOr = 15, Remainder = 16,
}

/// <summary>Operation codes of fd_reduce (fd_reduce_op).</summary>
internal enum ReduceOp
{
    Sum = 0, Mean = 1, Amax = 2, Amin = 3, Prod = 4, Var = 5, Std = 6, ArgMax = 7, ArgMin = 8,
    LogSumExp = 9, Norm = 10,
}

/// <summary>Constructor kinds of fd_tensor_factory (fd_factory).</summary>
internal enum FactoryKind
{
    Empty = 0, Zeros = 1, Ones = 2, Full = 3, Rand = 4, Randn = 5, Uniform = 6,
}
