namespace FedDistill.Distillation.Models;

/// <summary>
/// Which network to build and how large, as it appears in configuration; <see cref="ModelFactory"/>
/// validates it and builds the model.
/// </summary>
/// <remarks>
/// Fields that apply to some kinds only (<see cref="HiddenWidths"/>, <see cref="Channels"/>,
/// <see cref="WidthMultiplier"/>) must be left at their defaults for the other kinds, so a
/// setting that would be silently ignored fails instead. Image geometry left unset is taken from
/// the data set's example shape when the factory is given one.
/// </remarks>
public sealed record ModelSpec
{
    /// <summary>The kind of network: one of <see cref="ModelFactory.Kinds"/> (mlp, small-cnn, lenet5, resnet8, resnet20), case-insensitive.</summary>
    public required string Kind { get; init; }

    /// <summary>Channels of the input images (1 grey, 3 colour); null takes them from the example shape, or 1.</summary>
    public int? InputChannels { get; init; }

    /// <summary>Side of the square input images in pixels; null takes it from the example shape, or 28.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Number of classes (output logits), at least 1.</summary>
    public int Classes { get; init; } = 10;

    /// <summary>mlp only: hidden layer widths in order; null means [256, 128], empty a linear model.</summary>
    public IReadOnlyList<int>? HiddenWidths { get; init; }

    /// <summary>
    /// small-cnn and lenet5 only: the network's widths. small-cnn: [first conv channels, second
    /// conv channels, hidden width], null meaning [16, 32, 128]. lenet5: [first conv channels,
    /// second conv channels, first hidden width, second hidden width], null meaning the original
    /// [6, 16, 120, 84]. Narrower widths describe, for example, a channel-pruned network.
    /// </summary>
    public IReadOnlyList<int>? Channels { get; init; }

    /// <summary>resnet8 and resnet20 only: scales the stage widths 16, 32, 64; 1 is the paper's network.</summary>
    public double WidthMultiplier { get; init; } = 1.0;

    /// <summary>Dropout probability before the classifier, in [0, 1); not available for mlp.</summary>
    public double Dropout { get; init; }
}
