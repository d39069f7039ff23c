namespace FedDistill.Torch.Nn;

/// <summary>Randomly zeroes activations with probability p while training; identity in evaluation.</summary>
public sealed class Dropout : Module
{
    private readonly double _probability;

    /// <summary>Creates the layer; <paramref name="probability"/> must lie in [0, 1).</summary>
    public Dropout(double probability = 0.5)
    {
        if (!(probability >= 0 && probability < 1))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "A dropout probability lies in [0, 1).");
        _probability = probability;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, _probability, IsTraining);
}
