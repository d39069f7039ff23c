namespace FedDistill.Torch.Nn;

/// <summary>Batch normalization over the channels of [N, C, H, W] input, with running statistics.</summary>
public sealed class BatchNorm2d : Module
{
    private readonly double _momentum;
    private readonly double _eps;

    /// <summary>Creates the layer for <paramref name="channels"/> channels.</summary>
    public BatchNorm2d(long channels, double momentum = 0.1, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        _momentum = momentum;
        _eps = eps;
        RegisterParameter("weight", Tensor.Ones([channels]));
        RegisterParameter("bias", Tensor.Zeros([channels]));
        RegisterBuffer("running_mean", Tensor.Zeros([channels]));
        RegisterBuffer("running_var", Tensor.Ones([channels]));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) =>
        Functional.BatchNorm(input, Buffer("running_mean"), Buffer("running_var"), Parameter("weight"), Parameter("bias"), IsTraining, _momentum, _eps);
}
