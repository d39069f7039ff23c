namespace FedDistill.Torch.Nn;

/// <summary>Layer normalization over the trailing dimensions, with a learned scale and shift.</summary>
public sealed class LayerNorm : Module
{
    private readonly long[] _normalizedShape;
    private readonly double _eps;

    /// <summary>Normalizes over trailing dimensions of the given shape.</summary>
    public LayerNorm(long[] normalizedShape, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(size => size < 1))
            throw new ArgumentException("The normalized shape needs at least one positive dimension.", nameof(normalizedShape));
        _normalizedShape = normalizedShape.ToArray();
        _eps = eps;
        RegisterParameter("weight", Tensor.Ones(_normalizedShape));
        RegisterParameter("bias", Tensor.Zeros(_normalizedShape));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, _normalizedShape, Parameter("weight"), Parameter("bias"), _eps);
}
