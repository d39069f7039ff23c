using FedDistill.Torch.Interop;

namespace FedDistill.Torch.Optimizers;

/// <summary>Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay, as torch.optim.SGD.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="TorchException">An impossible setting (Nesterov without momentum, negative rate).</exception>
    public unsafe Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false)
        : base(Create(parameters, handles =>
        {
            fixed (IntPtr* pointer = handles)
            {
                var status = NativeMethods.fd_sgd_new(pointer, handles.Length, learningRate, momentum, dampening, weightDecay, nesterov ? 1 : 0, out var result);
                return (status, result);
            }
        }), learningRate)
    {
    }
}
