using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// The CIFAR ResNet of He et al. (2016, section 4.2): a 3×3 convolution to 16·w channels with
/// batch norm and ReLU, three stages of n basic blocks (16·w, 32·w and 64·w channels, strides 1, 2
/// and 2), global average pooling and a linear classifier. Depth 6n + 2: ResNet-8 (n = 1) is a
/// compact student, ResNet-20 (n = 3) a standard teacher.
/// </summary>
/// <remarks>
/// <para>Where a stage changes width and resolution the shortcut is a 1×1 convolution with batch norm
/// (the paper's option B), so ResNet-20 for 3 channels and 10 classes has 272,474 parameters
/// (269,722 with option A's parameter-free shortcuts, the paper's "0.27M").</para>
/// <para>Works for any image side (global pooling); state dict names follow the common PyTorch
/// layout (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c>, ..., <c>fc</c>). Features:
/// <c>stage1</c>, <c>stage2</c>, <c>stage3</c> (maps after each stage) and <c>pooled</c>
/// ([B, 64·w] after global pooling).</para>
/// </remarks>
public sealed class ResNetCifar : nn.Module<Tensor, Tensor>, IFeatureModel
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Dropout? dropout;
    private readonly Linear fc;

    /// <summary>Creates a network of depth 6·<paramref name="blocksPerStage"/> + 2.</summary>
    /// <param name="blocksPerStage">Residual blocks in each of the three stages (n), at least 1.</param>
    /// <param name="inputChannels">Channels of the input images (1 or 3).</param>
    /// <param name="classes">Number of output logits.</param>
    /// <param name="widthMultiplier">
    /// Scales the stage widths 16, 32 and 64 (rounded to whole channels); 1 is the paper's network,
    /// 0.5 a thinner student. The narrowest stage must keep at least one channel.
    /// </param>
    /// <param name="dropout">Dropout probability before the classifier in [0, 1); 0 adds no layer.</param>
    public ResNetCifar(int blocksPerStage, long inputChannels = 3, long classes = 10, double widthMultiplier = 1.0, double dropout = 0.0)
        : base(nameof(ResNetCifar))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocksPerStage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var widths = StageWidths(widthMultiplier);
        BlocksPerStage = blocksPerStage;
        conv1 = nn.Conv2d(inputChannels, widths[0], 3, stride: 1, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(widths[0]);
        var channels = widths[0];
        Sequential Stage(int stage)
        {
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (var block = 0; block < blocksPerStage; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                blocks.Add(new ResidualBlock(channels, widths[stage], stride));
                channels = widths[stage];
            }
            return nn.Sequential(blocks);
        }
        layer1 = Stage(0);
        layer2 = Stage(1);
        layer3 = Stage(2);
        if (dropout > 0) this.dropout = nn.Dropout(dropout);
        fc = nn.Linear(channels, classes);
        RegisterComponents();
    }

    /// <summary>Residual blocks per stage (n); the depth is 6n + 2.</summary>
    public int BlocksPerStage { get; }

    /// <summary>The three stages (<c>layer1</c> to <c>layer3</c>), each a sequence of residual blocks.</summary>
    public IReadOnlyList<Sequential> Stages => [layer1, layer2, layer3];

    /// <summary>Number of weighted layers: 6n + 2.</summary>
    public int Depth => 6 * BlocksPerStage + 2;

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureNames { get; } = ["stage1", "stage2", "stage3", "pooled"];

    /// <summary>ResNet-8 (one block per stage, 78,042 parameters for 3 channels, 10 classes, width 1).</summary>
    public static ResNetCifar ResNet8(long inputChannels = 3, long classes = 10, double widthMultiplier = 1.0, double dropout = 0.0) =>
        new(1, inputChannels, classes, widthMultiplier, dropout);

    /// <summary>ResNet-20 (three blocks per stage, 272,474 parameters for 3 channels, 10 classes, width 1).</summary>
    public static ResNetCifar ResNet20(long inputChannels = 3, long classes = 10, double widthMultiplier = 1.0, double dropout = 0.0) =>
        new(3, inputChannels, classes, widthMultiplier, dropout);

    /// <summary>The channels of the three stages for <paramref name="widthMultiplier"/>: 16·w, 32·w, 64·w rounded.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The multiplier is not finite and positive, or leaves a stage without channels.</exception>
    public static long[] StageWidths(double widthMultiplier)
    {
        if (!double.IsFinite(widthMultiplier) || widthMultiplier <= 0)
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "The width multiplier must be finite and positive.");
        var widths = new[] { 16, 32, 64 }.Select(width => (long)Math.Round(width * widthMultiplier, MidpointRounding.AwayFromZero)).ToArray();
        if (widths[0] < 1)
            throw new ArgumentOutOfRangeException(nameof(widthMultiplier), widthMultiplier, "The width multiplier leaves the first stage without channels; use at least 1/32.");
        return widths;
    }

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
        var x = nn.functional.relu(bn1.call(conv1.call(input)));
        x = layer1.call(x);
        features?.Add("stage1", x);
        x = layer2.call(x);
        features?.Add("stage2", x);
        x = layer3.call(x);
        features?.Add("stage3", x);
        var pooled = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        features?.Add("pooled", pooled);
        return fc.call(dropout is null ? pooled : dropout.call(pooled));
    }
}
