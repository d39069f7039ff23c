using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Models;

/// <summary>
/// LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as commonly used today:
/// conv(6, 5×5, padding 2)-ReLU-pool-conv(16, 5×5)-ReLU-pool-fc(120)-ReLU-fc(84)-ReLU-fc(classes).
/// A small classic teacher or student for 28×28 (MNIST-like) and 32×32 (CIFAR-like) images.
/// </summary>
/// <remarks>
/// The padding of the first convolution keeps the image side, so 28×28 inputs give the 16×5×5
/// map of the original network and 32×32 inputs a 16×6×6 map; the first fully connected layer is
/// sized from the image side. Features: <c>conv1</c> and <c>conv2</c> (pooled maps), <c>fc1</c>
/// and <c>fc2</c> (post-ReLU vectors).
/// </remarks>
public sealed class LeNet5 : Module, IFeatureModel
{
    /// <summary>The smallest image side the two convolutions and poolings leave a map for.</summary>
    public const int MinimumImageSize = 12;

    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Linear _fc1;
    private readonly Linear _fc2;
    private readonly Dropout? _dropout;
    private readonly Linear _fc3;

    /// <summary>Creates the network for square images.</summary>
    /// <param name="inputChannels">Channels of the input images (1 for grey, 3 for colour).</param>
    /// <param name="classes">Number of output logits.</param>
    /// <param name="imageSize">Side of the square input images in pixels, at least <see cref="MinimumImageSize"/>.</param>
    /// <param name="dropout">Dropout probability before the last layer in [0, 1); 0 adds no layer.</param>
    public LeNet5(long inputChannels = 1, long classes = 10, long imageSize = 28, double dropout = 0.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, MinimumImageSize);
        _conv1 = RegisterModule("conv1", new Conv2d(inputChannels, 6, 5, padding: 2));
        _conv2 = RegisterModule("conv2", new Conv2d(6, 16, 5));
        var side = FinalMapSide(imageSize);
        _fc1 = RegisterModule("fc1", new Linear(16 * side * side, 120));
        _fc2 = RegisterModule("fc2", new Linear(120, 84));
        // Registered only when used, so the state dict matches PyTorch's LeNet when it is not.
        if (dropout > 0) _dropout = RegisterModule("dropout", new Dropout(dropout));
        _fc3 = RegisterModule("fc3", new Linear(84, classes));
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; } = ["conv1", "conv2", "fc1", "fc2"];

    /// <summary>
    /// Side of the map that reaches the first fully connected layer: the padded convolution keeps
    /// the side, pooling halves it, the unpadded 5×5 convolution takes 4 away, pooling halves it.
    /// </summary>
    public static long FinalMapSide(long imageSize) => (imageSize / 2 - 4) / 2;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        return scope.MoveToOuter(Run(input, null));
    }

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = DisposeScope.Enter();
        var logits = Run(input, features);
        foreach (var feature in features.Values) scope.MoveToOuter(feature);
        return new FeatureOutput(scope.MoveToOuter(logits), features);
    }

    private Tensor Run(Tensor input, Dictionary<string, Tensor>? features)
    {
        var conv1 = Functional.MaxPool2d(Functional.Relu(_conv1.Forward(input)), 2);
        var conv2 = Functional.MaxPool2d(Functional.Relu(_conv2.Forward(conv1)), 2);
        var fc1 = Functional.Relu(_fc1.Forward(conv2.Flatten(1)));
        var fc2 = Functional.Relu(_fc2.Forward(fc1));
        var logits = _fc3.Forward(_dropout is null ? fc2 : _dropout.Forward(fc2));
        if (features is not null)
        {
            features.Add("conv1", conv1);
            features.Add("conv2", conv2);
            features.Add("fc1", fc1);
            features.Add("fc2", fc2);
        }
        return logits;
    }
}
