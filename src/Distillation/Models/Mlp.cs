using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A multilayer perceptron: flatten, then Linear-ReLU for each hidden width, then a Linear to
/// the class logits. The usual compact student.
/// </summary>
/// <remarks>
/// As an <see cref="IFeatureModel"/> it exposes the post-ReLU activation of each hidden layer as
/// <c>hidden0</c>, <c>hidden1</c>, ... ([B, width] vectors); a linear model has none.
/// </remarks>
public sealed class Mlp : Module, IFeatureModel
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
        FeatureNames = Enumerable.Range(0, hiddenWidths.Count).Select(i => $"hidden{i}").ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _layers.Forward(input);

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // An inner scope frees the pre-activation intermediates; only what is returned moves out.
        using var scope = DisposeScope.Enter();
        var current = input;
        foreach (var layer in _layers.Layers)
        {
            current = layer.Forward(current);
            if (layer is ReLU) features.Add(FeatureNames[features.Count], scope.MoveToOuter(current));
        }
        return new FeatureOutput(scope.MoveToOuter(current), features);
    }
}
