using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A small convolutional classifier for square images: conv(c1)-ReLU-pool-conv(c2)-ReLU-pool-
/// fc(hidden)-ReLU-fc(classes), 3×3 kernels with padding 1 and 2×2 max pooling. With the
/// default widths (16, 32, 128) it is the benchmark's CNN and a good Fashion-MNIST teacher.
/// </summary>
/// <remarks>Features: <c>conv1</c>, <c>conv2</c> (pooled maps) and <c>hidden</c> (post-ReLU vector).</remarks>
public sealed class SmallCnn : nn.Module<Tensor, Tensor>, IFeatureModel
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear fc1;
    private readonly Dropout? dropout;
    private readonly Linear fc2;

    /// <summary>Creates the network for square images of side <paramref name="imageSize"/> (divisible by 4).</summary>
    /// <param name="inputChannels">Channels of the input images.</param>
    /// <param name="classes">Number of output logits.</param>
    /// <param name="channels1">Channels of the first convolution.</param>
    /// <param name="channels2">Channels of the second convolution.</param>
    /// <param name="hiddenWidth">Width of the hidden fully connected layer.</param>
    /// <param name="imageSize">Side of the input images in pixels, divisible by 4.</param>
    /// <param name="dropout">Dropout probability before the last layer in [0, 1); 0 adds no layer.</param>
    public SmallCnn(long inputChannels = 1, long classes = 10, long channels1 = 16, long channels2 = 32, long hiddenWidth = 128,
        long imageSize = 28, double dropout = 0.0) : base(nameof(SmallCnn))
    {
        if (imageSize % 4 != 0) throw new ArgumentException("The image side must be divisible by 4 (two 2×2 poolings).", nameof(imageSize));
        ImageSize = imageSize;
        conv1 = nn.Conv2d(inputChannels, channels1, 3, padding: 1);
        conv2 = nn.Conv2d(channels1, channels2, 3, padding: 1);
        var pooled = imageSize / 4;
        fc1 = nn.Linear(channels2 * pooled * pooled, hiddenWidth);
        // Created only when used: even p = 0 would cost a mask kernel per step in training.
        if (dropout > 0) this.dropout = nn.Dropout(dropout);
        fc2 = nn.Linear(hiddenWidth, classes);
        RegisterComponents();
    }

    /// <summary>Side of the square input images in pixels the network was built for.</summary>
    public long ImageSize { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; } = ["conv1", "conv2", "hidden"];

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Each intermediate is released as soon as the next operation has consumed it, as
        // Python's reference counting would (autograd keeps what backward needs), so libtorch's
        // allocator reuses buffers within the pass instead of holding every activation until
        // the caller's dispose scope ends.
        // Children run through call(), not forward(), so their forward hooks fire as with PyTorch's
        // self.conv1(x): quantization calibration and quantization-aware training hook Conv2d and Linear.
        var x = conv1.call(input);
        x = Replace(x, nn.functional.relu(x));
        x = Replace(x, nn.functional.max_pool2d(x, 2));
        x = Replace(x, conv2.call(x));
        x = Replace(x, nn.functional.relu(x));
        x = Replace(x, nn.functional.max_pool2d(x, 2));
        x = Replace(x, x.flatten(1));
        x = Replace(x, fc1.call(x));
        x = Replace(x, nn.functional.relu(x));
        if (dropout is not null) x = Replace(x, dropout.call(x));
        return Replace(x, fc2.call(x));
    }

    private static Tensor Replace(Tensor consumed, Tensor result)
    {
        consumed.Dispose();
        return result;
    }

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        // Intermediates die in this scope; only the logits and the features reach the caller's.
        using var scope = torch.NewDisposeScope();
        var pooled1 = nn.functional.max_pool2d(nn.functional.relu(conv1.call(input)), 2);
        var pooled2 = nn.functional.max_pool2d(nn.functional.relu(conv2.call(pooled1)), 2);
        var hidden = nn.functional.relu(fc1.call(pooled2.flatten(1)));
        var logits = fc2.call(dropout is null ? hidden : dropout.call(hidden));
        scope.MoveToOuter(pooled1, pooled2, hidden);
        return new FeatureOutput(logits.MoveToOuterDisposeScope(), new Dictionary<string, Tensor> { ["conv1"] = pooled1, ["conv2"] = pooled2, ["hidden"] = hidden });
    }
}
