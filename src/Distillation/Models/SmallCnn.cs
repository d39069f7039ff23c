using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A small convolutional classifier for 28×28 images: conv(c1)-ReLU-pool-conv(c2)-ReLU-pool-
/// fc(hidden)-ReLU-fc(classes), 3×3 kernels with padding 1 and 2×2 max pooling. With the
/// default widths (16, 32, 128) it is the benchmark's CNN and a good Fashion-MNIST teacher.
/// </summary>
public sealed class SmallCnn : Module, IFeatureModel
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Linear _hidden;
    private readonly Dropout? _dropout;
    private readonly Linear _output;

    /// <summary>Creates the network for square images of side <paramref name="imageSize"/> (divisible by 4).</summary>
    public SmallCnn(long inputChannels = 1, long classes = 10, long channels1 = 16, long channels2 = 32, long hiddenWidth = 128,
        long imageSize = 28, double dropout = 0.0)
    {
        if (imageSize % 4 != 0) throw new ArgumentException("The image side must be divisible by 4 (two 2×2 poolings).", nameof(imageSize));
        _conv1 = RegisterModule("conv1", new Conv2d(inputChannels, channels1, 3, padding: 1));
        _conv2 = RegisterModule("conv2", new Conv2d(channels1, channels2, 3, padding: 1));
        var pooled = imageSize / 4;
        _hidden = RegisterModule("fc1", new Linear(channels2 * pooled * pooled, hiddenWidth));
        // Registered only when used: even p = 0 would cost a mask kernel per step in training.
        if (dropout > 0) _dropout = RegisterModule("dropout", new Dropout(dropout));
        _output = RegisterModule("fc2", new Linear(hiddenWidth, classes));
    }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; } = ["conv1", "conv2", "hidden"];

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        // Each intermediate is released as soon as the next operation has consumed it, as
        // Python's reference counting would (autograd keeps what backward needs), so libtorch's
        // allocator reuses buffers within the pass instead of holding every activation.
        var x = _conv1.Forward(input);
        x = Replace(x, Functional.Relu(x));
        x = Replace(x, Functional.MaxPool2d(x, 2));
        x = Replace(x, _conv2.Forward(x));
        x = Replace(x, Functional.Relu(x));
        x = Replace(x, Functional.MaxPool2d(x, 2));
        x = Replace(x, x.Flatten(1));
        x = Replace(x, _hidden.Forward(x));
        x = Replace(x, Functional.Relu(x));
        if (_dropout is not null) x = Replace(x, _dropout.Forward(x));
        return Replace(x, _output.Forward(x));
    }

    private static Tensor Replace(Tensor consumed, Tensor result)
    {
        consumed.Dispose();
        return result;
    }

    /// <inheritdoc />
    public FeatureOutput ForwardWithFeatures(Tensor input)
    {
        var conv1 = Functional.MaxPool2d(Functional.Relu(_conv1.Forward(input)), 2);
        var conv2 = Functional.MaxPool2d(Functional.Relu(_conv2.Forward(conv1)), 2);
        var hidden = Functional.Relu(_hidden.Forward(conv2.Flatten(1)));
        var logits = _output.Forward(_dropout is null ? hidden : _dropout.Forward(hidden));
        return new FeatureOutput(logits, new Dictionary<string, Tensor> { ["conv1"] = conv1, ["conv2"] = conv2, ["hidden"] = hidden });
    }
}
