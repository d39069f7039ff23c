using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, as commonly used today:
/// conv(6, 5×5, padding 2)-ReLU-pool-conv(16, 5×5)-ReLU-pool-fc(120)-ReLU-fc(84)-ReLU-fc(classes).
/// A small classic teacher or student for 28×28 (MNIST-like) and 32×32 (CIFAR-like) images.
/// The widths 6, 16, 120 and 84 are the defaults; narrower ones describe a channel-pruned network.
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
    /// <param name="channels1">Channels of the first convolution (6 in the original network).</param>
    /// <param name="channels2">Channels of the second convolution (16 in the original network).</param>
    /// <param name="hidden1">Width of the first fully connected layer (120 in the original network).</param>
    /// <param name="hidden2">Width of the second fully connected layer (84 in the original network).</param>
    public LeNet5(long inputChannels = 1, long classes = 10, long imageSize = 28, double dropout = 0.0,
        long channels1 = 6, long channels2 = 16, long hidden1 = 120, long hidden2 = 84) : base(nameof(LeNet5))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, MinimumImageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels2, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden2, 1);
        ImageSize = imageSize;
        conv1 = nn.Conv2d(inputChannels, channels1, 5, padding: 2);
        conv2 = nn.Conv2d(channels1, channels2, 5);
        var side = FinalMapSide(imageSize);
        fc1 = nn.Linear(channels2 * side * side, hidden1);
        fc2 = nn.Linear(hidden1, hidden2);
        // Created only when used, so the state dict matches PyTorch's LeNet when it is not.
        if (dropout > 0) this.dropout = nn.Dropout(dropout);
        fc3 = nn.Linear(hidden2, classes);
        RegisterComponents();
    }

    /// <summary>Side of the square input images in pixels the network was built for.</summary>
    public long ImageSize { get; }

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
