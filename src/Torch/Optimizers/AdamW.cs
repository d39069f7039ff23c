namespace FedDistill.Torch.Optimizers;

/// <summary>AdamW (Loshchilov and Hutter 2019): Adam with weight decay decoupled from the gradient, as torch.optim.AdamW.</summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    public AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0.01, bool amsGrad = false)
        : base(Adam.CreateAdam(parameters, learningRate, beta1, beta2, eps, weightDecay, amsGrad, decoupled: true), learningRate)
    {
    }
}
