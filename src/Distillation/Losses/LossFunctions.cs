using FedDistill.Torch;

namespace FedDistill.Distillation.Losses;

/// <summary>Small differentiable building blocks the shim does not export, composed from element-wise ops.</summary>
internal static class LossFunctions
{
    /// <summary>x / max(‖x‖₂, eps) along <paramref name="dimension"/>, as <c>torch.nn.functional.normalize</c>.</summary>
    public static Tensor Normalize(Tensor input, long dimension, double eps = 1e-12)
    {
        using var scope = DisposeScope.Enter();
        var norm = input.Norm([dimension], keepDimensions: true).Clamp(min: eps);
        return scope.MoveToOuter(input.Div(norm));
    }

    /// <summary>
    /// Mean smooth-L1 (Huber, δ = 1) between two tensors of one shape: 0.5·d² where |d| &lt; 1, else
    /// |d| − 0.5, as <c>torch.nn.functional.smooth_l1_loss</c>.
    /// </summary>
    /// <remarks>
    /// Written as 0.5·m² + (|d| − m) with m = min(|d|, 1): one clamp instead of a mask and a
    /// where, equal to both branches, and with the same gradient (d inside, sign(d) outside).
    /// </remarks>
    public static Tensor SmoothL1(Tensor input, Tensor target)
    {
        using var scope = DisposeScope.Enter();
        var absolute = input.Sub(target).Abs();
        var inside = absolute.Clamp(max: 1.0);
        var value = inside.Square().Mul(0.5).Add(absolute.Sub(inside));
        return scope.MoveToOuter(value.Mean());
    }
}
