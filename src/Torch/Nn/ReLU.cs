namespace FedDistill.Torch.Nn;

/// <summary>The rectifier max(x, 0) as a layer.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}
