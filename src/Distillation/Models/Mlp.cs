using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A multilayer perceptron: flatten, then Linear-ReLU for each hidden width, then a Linear to
/// the class logits. The usual compact student.
/// </summary>
/// <remarks>
/// As an <see cref="IFeatureModel"/> it exposes the post-ReLU activation of each hidden layer as
/// <c>hidden0</c>, <c>hidden1</c>, ... ([B, width] vectors); a linear model has none. State dict
/// names are PyTorch's for <c>self.layers = nn.Sequential(nn.Flatten(), nn.Linear(...), ...)</c>.
/// </remarks>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IFeatureModel
{
    private readonly Sequential _layers;
    private readonly Linear[] _linears;

    /// <summary>The fully connected layers in order, the last one producing the logits.</summary>
    public IReadOnlyList<Linear> LinearLayers => _linears;

    /// <summary>Creates the network.</summary>
    /// <param name="inputFeatures">Values per example after flattening (784 for 28×28 images).</param>
    /// <param name="hiddenWidths">Width of each hidden layer, in order; may be empty (a linear model).</param>
    /// <param name="classes">Number of output logits.</param>
    public Mlp(long inputFeatures, IReadOnlyList<long> hiddenWidths, long classes) : base(nameof(Mlp))
    {
        ArgumentNullException.ThrowIfNull(hiddenWidths);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", nn.Flatten()) };
        var linears = new List<Linear>();
        var width = inputFeatures;
        foreach (var hidden in hiddenWidths.Append(classes))
        {
            var linear = nn.Linear(width, hidden);
            linears.Add(linear);
            layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), linear));
            if (linears.Count <= hiddenWidths.Count)
                layers.Add((layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), nn.ReLU()));
            width = hidden;
        }
        _layers = nn.Sequential(layers);
        _linears = linears.ToArray();
        register_module("layers", _layers);
        FeatureNames = Enumerable.Range(0, hiddenWidths.Count).Select(i => $"hidden{i}").ToArray();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => _layers.forward(input);

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // Intermediates die in this scope; only the logits and the features reach the caller's.
        using var scope = torch.NewDisposeScope();
        var current = input.flatten(1);
        for (var i = 0; i < _linears.Length; i++)
        {
            // Through call(), not forward(), so the layer's forward hooks fire as they do on the
            // Sequential path: quantization calibration and quantization-aware training hook Linear.
            current = _linears[i].call(current);
            if (i < _linears.Length - 1)
            {
                current = nn.functional.relu(current);
                features.Add(FeatureNames[i], current);
            }
        }
        scope.MoveToOuter(features.Values);
        return new FeatureOutput(current.MoveToOuterDisposeScope(), features);
    }
}
