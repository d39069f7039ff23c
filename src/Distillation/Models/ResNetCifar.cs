using FedDistill.Torch;
using FedDistill.Torch.Nn;

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
public sealed class ResNetCifar : Module, IFeatureModel
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _norm1;
    private readonly Sequential[] _stages;
    private readonly Dropout? _dropout;
    private readonly Linear _fc;

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
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blocksPerStage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var widths = StageWidths(widthMultiplier);
        BlocksPerStage = blocksPerStage;
        _conv1 = RegisterModule("conv1", new Conv2d(inputChannels, widths[0], 3, 1, 1, bias: false));
        _norm1 = RegisterModule("bn1", new BatchNorm2d(widths[0]));
        _stages = new Sequential[3];
        var channels = widths[0];
        for (var stage = 0; stage < 3; stage++)
        {
            var blocks = new Sequential();
            for (var block = 0; block < blocksPerStage; block++)
            {
                var stride = stage > 0 && block == 0 ? 2 : 1;
                blocks.Append(new ResidualBlock(channels, widths[stage], stride));
                channels = widths[stage];
            }
            _stages[stage] = RegisterModule($"layer{stage + 1}", blocks);
        }
        if (dropout > 0) _dropout = RegisterModule("dropout", new Dropout(dropout));
        _fc = RegisterModule("fc", new Linear(channels, classes));
    }

    /// <summary>Residual blocks per stage (n); the depth is 6n + 2.</summary>
    public int BlocksPerStage { get; }

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
        var x = Functional.Relu(_norm1.Forward(_conv1.Forward(input)));
        for (var stage = 0; stage < _stages.Length; stage++)
        {
            x = _stages[stage].Forward(x);
            features?.Add($"stage{stage + 1}", x);
        }
        var pooled = Functional.AdaptiveAvgPool2d(x, 1, 1).Flatten(1);
        features?.Add("pooled", pooled);
        return _fc.Forward(_dropout is null ? pooled : _dropout.Forward(pooled));
    }
}
