using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Training.Optimizers;

/// <summary>The scalar operands of one Adam step, each converted to a native scalar once.</summary>
internal sealed class AdamScalars : IDisposable
{
    private readonly double _beta1, _beta2, _lr;
    private readonly Scalar _beta1Scalar, _oneMinusBeta1, _beta2Scalar, _oneMinusBeta2, _eps;
    // Bias corrections depend on the parameter's step count; all parameters of a group usually share it.
    private long _correctedStep = -1;
    private Scalar? _negativeStepSize, _biasCorrection2Root;

    public AdamScalars(double beta1, double beta2, double eps, double lr)
    {
        (_beta1, _beta2, _lr) = (beta1, beta2, lr);
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _eps = eps.ToScalar();
    }

    /// <summary>exp_avg = β1·exp_avg + (1 − β1)·g; exp_avg_sq = β2·exp_avg_sq + (1 − β2)·g², in place.</summary>
    public static void Moments(Tensor expAvg, Tensor expAvgSq, Tensor grad, AdamScalars scalars)
    {
        expAvg.mul_(scalars._beta1Scalar).add_(grad, scalars._oneMinusBeta1);
        expAvgSq.mul_(scalars._beta2Scalar).addcmul_(grad, grad, scalars._oneMinusBeta2);
    }

    /// <summary>param −= lr / (1 − β1^t) · exp_avg / (sqrt(second) / sqrt(1 − β2^t) + ε), TorchSharp's order of operations.</summary>
    public void Update(Tensor param, Tensor expAvg, Tensor second, long step)
    {
        if (step != _correctedStep)
        {
            _negativeStepSize?.Dispose();
            _biasCorrection2Root?.Dispose();
            _negativeStepSize = (-(_lr / (1 - Math.Pow(_beta1, step)))).ToScalar();
            _biasCorrection2Root = Math.Sqrt(1 - Math.Pow(_beta2, step)).ToScalar();
            _correctedStep = step;
        }
        using var denominator = second.sqrt();
        denominator.div_(_biasCorrection2Root!).add_(_eps);
        param.addcdiv_(expAvg, denominator, _negativeStepSize!);
    }

    public void Dispose()
    {
        _beta1Scalar.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2Scalar.Dispose();
        _oneMinusBeta2.Dispose();
        _eps.Dispose();
        _negativeStepSize?.Dispose();
        _biasCorrection2Root?.Dispose();
    }
}
