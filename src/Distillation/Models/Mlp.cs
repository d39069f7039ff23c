using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A multilayer perceptron: flatten, then Linear-ReLU for each hidden width, then a Linear to
/// the class logits. The usual compact student.
/// </summary>
public sealed class Mlp : Module
{
    private readonly Sequential _layers;

    /// <summary>Creates the network.</summary>
    /// <param name="inputFeatures">Values per example after flattening (784 for 28×28 images).</param>
    /// <param name="hiddenWidths">Width of each hidden layer, in order; may be empty (a linear model).</param>
    /// <param name="classes">Number of output logits.</param>
    public Mlp(long inputFeatures, IReadOnlyList<long> hiddenWidths, long classes)
    {
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        var layers = new List<Module> { new Flatten() };
        var width = inputFeatures;
        foreach (var hidden in hiddenWidths)
        {
            layers.Add(new Linear(width, hidden));
            layers.Add(new ReLU());
            width = hidden;
        }
        layers.Add(new Linear(width, classes));
        _layers = RegisterModule("layers", new Sequential(layers.ToArray()));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _layers.Forward(input);
}
