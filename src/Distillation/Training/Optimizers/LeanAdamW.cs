using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Training.Optimizers;

/// <summary>
/// <c>torch.optim.AdamW</c> (decoupled weight decay) with <see cref="LeanAdam"/>'s step: same
/// class, state and arithmetic as TorchSharp's <see cref="AdamW"/>, temporaries freed at once.
/// </summary>
public sealed class LeanAdamW : AdamW
{
    /// <summary>Creates the optimizer; the arguments are <c>torch.optim.AdamW</c>'s.</summary>
    public LeanAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0.01, bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        var lr = options.LearningRate!.Value;
        using var scalars = new AdamScalars(options.beta1!.Value, options.beta2!.Value, options.eps!.Value, lr);
        using var shrink = (1 - lr * options.weight_decay!.Value).ToScalar();
        foreach (var param in group.Parameters)
        {
            using var gradient = param.grad;
            if (gradient is null) continue;
            var state = (State)_state[param.Handle];
            state.step += 1;
            using var negated = options.maximize!.Value ? gradient.neg() : null;
            var grad = negated ?? gradient;
            param.mul_(shrink);
            AdamScalars.Moments(state.exp_avg, state.exp_avg_sq, grad, scalars);
            if (options.amsgrad!.Value)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = torch.maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                scalars.Update(param, state.exp_avg, state.max_exp_avg_sq, state.step);
            }
            else
            {
                scalars.Update(param, state.exp_avg, state.exp_avg_sq, state.step);
            }
        }
    }, closure);
}
