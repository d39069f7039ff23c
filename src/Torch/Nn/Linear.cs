namespace FedDistill.Torch.Nn;

/// <summary>A fully connected layer y = x·Wᵀ + b, initialized as PyTorch's nn.Linear.</summary>
public sealed class Linear : Module
{
    /// <summary>Creates a layer mapping <paramref name="inputFeatures"/> to <paramref name="outputFeatures"/>.</summary>
    public Linear(long inputFeatures, long outputFeatures, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputFeatures, 1);
        InputFeatures = inputFeatures;
        OutputFeatures = outputFeatures;
        // PyTorch's default: kaiming_uniform(a=√5) on the weight, which reduces to U(±1/√fan_in), and the same bound for the bias.
        var bound = 1.0 / Math.Sqrt(inputFeatures);
        RegisterParameter("weight", Tensor.Uniform([outputFeatures, inputFeatures], -bound, bound));
        if (bias) RegisterParameter("bias", Tensor.Uniform([outputFeatures], -bound, bound));
    }

    /// <summary>Input width.</summary>
    public long InputFeatures { get; }

    /// <summary>Output width.</summary>
    public long OutputFeatures { get; }

    /// <summary>The [out, in] weight matrix.</summary>
    public Tensor Weight => Parameter("weight");

    /// <summary>The bias vector, or null when built without one.</summary>
    public Tensor? Bias => OptionalParameter("bias");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
