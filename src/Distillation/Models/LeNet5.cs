using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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
public sealed class LeNet5 : nn.Module<Tensor, Tensor>, IFeatureModel
{
    /// <summary>The smallest image side the two convolutions and poolings leave a map for.</summary>
    public const int MinimumImageSize = 12;

    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Linear fc2;
    private readonly Dropout? dropout;
    private readonly Linear fc3;

    /// <summary>Creates the network for square images.</summary>
    /// <param name="inputChannels">Channels of the input images (1 for grey, 3 for colour).</param>
    /// <param name="classes">Number of output logits.</param>
    /// <param name="imageSize">Side of the square input images in pixels, at least <see cref="MinimumImageSize"/>.</param>
    /// <param name="dropout">Dropout probability before the last layer in [0, 1); 0 adds no layer.</param>
    public LeNet5(long inputChannels = 1, long classes = 10, long imageSize = 28, double dropout = 0.0) : base(nameof(LeNet5))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, MinimumImageSize);
        conv1 = nn.Conv2d(inputChannels, 6, 5, padding: 2);
        conv2 = nn.Conv2d(6, 16, 5);
        var side = FinalMapSide(imageSize);
        fc1 = nn.Linear(16 * side * side, 120);
        fc2 = nn.Linear(120, 84);
        // Created only when used, so the state dict matches PyTorch's LeNet when it is not.
        if (dropout > 0) this.dropout = nn.Dropout(dropout);
        fc3 = nn.Linear(84, classes);
        RegisterComponents();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; } = ["conv1", "conv2", "fc1", "fc2"];

    /// <summary>
    /// Side of the map that reaches the first fully connected layer: the padded convolution keeps
    /// the side, pooling halves it, the unpadded 5×5 convolution takes 4 away, pooling halves it.
    /// </summary>
    public static long FinalMapSide(long imageSize) => (imageSize / 2 - 4) / 2;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        return Run(input, null).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        // Intermediates die in this scope; only the logits and the features reach the caller's.
        var features = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = torch.NewDisposeScope();
        var logits = Run(input, features);
        scope.MoveToOuter(features.Values);
        return new FeatureOutput(logits.MoveToOuterDisposeScope(), features);
    }

    private Tensor Run(Tensor input, Dictionary<string, Tensor>? features)
    {
        // Children run through call(), not forward(), so their forward hooks fire as with PyTorch's
        // self.conv1(x): quantization calibration and quantization-aware training hook Conv2d and Linear.
        var pooled1 = nn.functional.max_pool2d(nn.functional.relu(conv1.call(input)), 2);
        var pooled2 = nn.functional.max_pool2d(nn.functional.relu(conv2.call(pooled1)), 2);
        var hidden1 = nn.functional.relu(fc1.call(pooled2.flatten(1)));
        var hidden2 = nn.functional.relu(fc2.call(hidden1));
        var logits = fc3.call(dropout is null ? hidden2 : dropout.call(hidden2));
        if (features is not null)
        {
            features.Add("conv1", pooled1);
            features.Add("conv2", pooled2);
            features.Add("fc1", hidden1);
            features.Add("fc2", hidden2);
        }
        return logits;
    }
}
