using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

/// <summary>Autograd gradients next to central finite differences, for float64 inputs.</summary>
internal static class FiniteDifferences
{
    /// <summary>
    /// The gradient of <paramref name="loss"/> at <paramref name="values"/> (shaped
    /// <paramref name="shape"/>, float64) from autograd, and (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h for each i.
    /// </summary>
    public static (double[] Autograd, double[] Numeric) Gradients(double[] values, long[] shape, Func<Tensor, Tensor> loss, double step = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var input = tensor(values, shape);
        input.requires_grad = true;
        loss(input).backward();
        var autograd = input.grad!.data<double>().ToArray();

        using var noGrad = torch.no_grad();
        var numeric = new double[values.Length];
        var probe = (double[])values.Clone();
        for (var i = 0; i < values.Length; i++)
        {
            probe[i] = values[i] + step;
            var above = Evaluate(probe, shape, loss);
            probe[i] = values[i] - step;
            var below = Evaluate(probe, shape, loss);
            probe[i] = values[i];
            numeric[i] = (above - below) / (2 * step);
        }
        return (autograd, numeric);
    }

    private static double Evaluate(double[] values, long[] shape, Func<Tensor, Tensor> loss)
    {
        using var scope = torch.NewDisposeScope();
        return loss(tensor(values, shape)).ToDouble();
    }
}
