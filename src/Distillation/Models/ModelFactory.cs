using System.Globalization;
using TorchSharp;

namespace FedDistill.Distillation.Models;

/// <summary>
/// Builds the model zoo's networks from a <see cref="ModelSpec"/>: the one place a kind name
/// from configuration becomes a network, so adding a kind touches this file and its test.
/// </summary>
public static class ModelFactory
{
    private const int DefaultImageSize = 28;
    private const int DefaultInputChannels = 1;
    private static readonly int[] DefaultHiddenWidths = [256, 128];
    private static readonly int[] DefaultSmallCnnChannels = [16, 32, 128];
    private static readonly int[] DefaultLeNet5Channels = [6, 16, 120, 84];

    /// <summary>The kind names <see cref="ModelSpec.Kind"/> accepts, in order of size.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["mlp", "small-cnn", "lenet5", "resnet8", "resnet20"];

    /// <summary>
    /// Builds an untrained model (parameters initialized as PyTorch does) owned by the caller.
    /// Every kind implements <see cref="IFeatureModel"/>.
    /// </summary>
    /// <param name="spec">What to build.</param>
    /// <param name="exampleShape">
    /// The shape of one example (<see cref="Data.Dataset.ExampleShape"/>), e.g. [1, 28, 28] or
    /// [30]; when given it fills in and must agree with the spec's image geometry, and fixes an
    /// mlp's input width.
    /// </param>
    /// <exception cref="ArgumentException">The spec is invalid; the message lists every problem by field name.</exception>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> Create(ModelSpec spec, IReadOnlyList<int>? exampleShape = null)
    {
        var errors = Validate(spec, exampleShape);
        if (errors.Count > 0) throw new ArgumentException($"Invalid model spec: {string.Join(" ", errors)}", nameof(spec));

        var kind = spec.Kind.ToLowerInvariant();
        var (channels, size) = Geometry(spec, exampleShape);
        return kind switch
        {
            "mlp" => new Mlp(MlpInputFeatures(exampleShape, channels, size), (spec.HiddenWidths ?? DefaultHiddenWidths).Select(w => (long)w).ToArray(), spec.Classes),
            "small-cnn" => CreateSmallCnn(spec, channels, size),
            "lenet5" => CreateLeNet5(spec, channels, size),
            "resnet8" => ResNetCifar.ResNet8(channels, spec.Classes, spec.WidthMultiplier, spec.Dropout),
            "resnet20" => ResNetCifar.ResNet20(channels, spec.Classes, spec.WidthMultiplier, spec.Dropout),
            _ => throw new InvalidOperationException($"Kind '{kind}' passed validation but has no builder."),
        };
    }

    /// <summary>
    /// Every problem with <paramref name="spec"/> (for the given example shape), each naming the
    /// field and what is allowed; empty when <see cref="Create"/> would succeed.
    /// </summary>
    public static IReadOnlyList<string> Validate(ModelSpec spec, IReadOnlyList<int>? exampleShape = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<string>();
        var kind = spec.Kind?.ToLowerInvariant();
        if (kind is null || !Kinds.Contains(kind))
        {
            errors.Add($"ModelSpec.Kind is '{spec.Kind}'; allowed: {string.Join(", ", Kinds)}.");
            return errors;
        }

        var isImageModel = kind != "mlp";
        var isResNet = kind is "resnet8" or "resnet20";
        if (spec.Classes < 1) errors.Add($"ModelSpec.Classes is {spec.Classes}; it must be at least 1.");
        if (spec.InputChannels is < 1) errors.Add($"ModelSpec.InputChannels is {spec.InputChannels}; it must be at least 1.");
        if (spec.ImageSize is < 1) errors.Add($"ModelSpec.ImageSize is {spec.ImageSize}; it must be at least 1.");
        if (!(spec.Dropout >= 0 && spec.Dropout < 1)) errors.Add($"ModelSpec.Dropout is {Format(spec.Dropout)}; it must lie in [0, 1).");
        else if (spec.Dropout > 0 && kind == "mlp") errors.Add($"ModelSpec.Dropout is {Format(spec.Dropout)}; mlp has no dropout, allowed: 0.");

        if (spec.HiddenWidths is not null)
        {
            if (kind != "mlp") errors.Add($"ModelSpec.HiddenWidths is set; it applies only to mlp, not {kind}.");
            else if (spec.HiddenWidths.Any(width => width < 1))
                errors.Add($"ModelSpec.HiddenWidths is [{string.Join(", ", spec.HiddenWidths)}]; every width must be at least 1.");
        }
        if (spec.Channels is not null)
        {
            if (kind is not ("small-cnn" or "lenet5")) errors.Add($"ModelSpec.Channels is set; it applies only to small-cnn and lenet5, not {kind}.");
            else if (kind == "small-cnn" && (spec.Channels.Count != 3 || spec.Channels.Any(width => width < 1)))
                errors.Add($"ModelSpec.Channels is [{string.Join(", ", spec.Channels)}]; it must be three positive numbers: first conv channels, second conv channels, hidden width.");
            else if (kind == "lenet5" && (spec.Channels.Count != 4 || spec.Channels.Any(width => width < 1)))
                errors.Add($"ModelSpec.Channels is [{string.Join(", ", spec.Channels)}]; for lenet5 it must be four positive numbers: first conv channels, second conv channels, first hidden width, second hidden width.");
        }
        if (!isResNet && spec.WidthMultiplier != 1.0)
            errors.Add($"ModelSpec.WidthMultiplier is {Format(spec.WidthMultiplier)}; it applies only to resnet8 and resnet20, not {kind}, allowed: 1.");
        else if (isResNet && (!double.IsFinite(spec.WidthMultiplier) || Math.Round(16 * spec.WidthMultiplier, MidpointRounding.AwayFromZero) < 1))
            errors.Add($"ModelSpec.WidthMultiplier is {Format(spec.WidthMultiplier)}; it must be finite and at least 1/32 (16·w rounds to one channel or more).");

        if (exampleShape is not null) CheckExampleShape(spec, kind, exampleShape, isImageModel, errors);
        if (errors.Count > 0) return errors;

        var (_, size) = Geometry(spec, exampleShape);
        if (kind == "small-cnn" && size % 4 != 0)
            errors.Add($"ModelSpec.ImageSize is {size}; small-cnn needs a side divisible by 4 (two 2×2 poolings).");
        if (kind == "lenet5" && size < LeNet5.MinimumImageSize)
            errors.Add($"ModelSpec.ImageSize is {size}; lenet5 needs at least {LeNet5.MinimumImageSize}.");
        return errors;
    }

    private static void CheckExampleShape(ModelSpec spec, string kind, IReadOnlyList<int> shape, bool isImageModel, List<string> errors)
    {
        var text = $"[{string.Join(", ", shape)}]";
        if (shape.Count == 0 || shape.Any(dimension => dimension < 1))
        {
            errors.Add($"The example shape {text} must have at least one dimension, all positive.");
            return;
        }
        if (shape.Count != 3)
        {
            if (isImageModel) errors.Add($"ModelSpec.Kind is '{kind}', which needs [channels, height, width] examples; the examples have shape {text}.");
            else if (spec.InputChannels is not null || spec.ImageSize is not null)
                errors.Add($"ModelSpec.InputChannels and ModelSpec.ImageSize describe images; leave them unset for examples of shape {text}.");
            return;
        }
        if (isImageModel && shape[1] != shape[2])
            errors.Add($"ModelSpec.Kind is '{kind}', which needs square images; the examples have shape {text}.");
        if (spec.InputChannels is { } channels && channels != shape[0])
            errors.Add($"ModelSpec.InputChannels is {channels} but the examples have {shape[0]} channels (shape {text}).");
        if (spec.ImageSize is { } size && size != shape[1])
            errors.Add($"ModelSpec.ImageSize is {size} but the examples are {shape[1]} pixels high (shape {text}).");
    }

    private static (int Channels, int Size) Geometry(ModelSpec spec, IReadOnlyList<int>? exampleShape) =>
        exampleShape is { Count: 3 }
            ? (exampleShape[0], exampleShape[1])
            : (spec.InputChannels ?? DefaultInputChannels, spec.ImageSize ?? DefaultImageSize);

    private static long MlpInputFeatures(IReadOnlyList<int>? exampleShape, int channels, int size) =>
        exampleShape is null ? (long)channels * size * size : exampleShape.Aggregate(1L, (product, dimension) => product * dimension);

    private static SmallCnn CreateSmallCnn(ModelSpec spec, int channels, int size)
    {
        var widths = spec.Channels ?? DefaultSmallCnnChannels;
        return new SmallCnn(channels, spec.Classes, widths[0], widths[1], widths[2], size, spec.Dropout);
    }

    private static LeNet5 CreateLeNet5(ModelSpec spec, int channels, int size)
    {
        var widths = spec.Channels ?? DefaultLeNet5Channels;
        return new LeNet5(channels, spec.Classes, size, spec.Dropout, widths[0], widths[1], widths[2], widths[3]);
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
