namespace FedDistill.Torch.Nn;

/// <summary>Flattens every dimension after the batch dimension (by default) into one.</summary>
public sealed class Flatten(long startDimension = 1, long endDimension = -1) : Module
{
    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => input.Flatten(startDimension, endDimension);
}
