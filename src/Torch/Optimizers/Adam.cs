using FedDistill.Torch.Interop;

namespace FedDistill.Torch.Optimizers;

/// <summary>Adam (Kingma and Ba 2015) with L2 weight decay added to the gradient, as torch.optim.Adam.</summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool amsGrad = false)
        : base(CreateAdam(parameters, learningRate, beta1, beta2, eps, weightDecay, amsGrad, decoupled: false), learningRate)
    {
    }

    internal static unsafe OptimizerHandle CreateAdam(IEnumerable<Tensor> parameters, double learningRate, double beta1, double beta2,
        double eps, double weightDecay, bool amsGrad, bool decoupled) =>
        Create(parameters, handles =>
        {
            fixed (IntPtr* pointer = handles)
            {
                var status = NativeMethods.fd_adam_new(pointer, handles.Length, learningRate, beta1, beta2, eps, weightDecay,
                    amsGrad ? 1 : 0, decoupled ? 1 : 0, out var result);
                return (status, result);
            }
        });
}
