using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>
/// Structured pruning by L1 norm (Li et al. 2017, "Pruning Filters for Efficient ConvNets"):
/// removes whole convolution filters and hidden units whose weights have the smallest sum of
/// absolute values, and builds a new, really smaller model of the same class from the kept ones.
/// </summary>
/// <remarks>
/// <para>Supported: <see cref="Mlp"/> (every hidden layer's units), <see cref="SmallCnn"/>
/// (<c>conv1</c> and <c>conv2</c> channels, <c>fc1</c> units) and <see cref="LeNet5"/>
/// (<c>conv1</c>, <c>conv2</c> channels, <c>fc1</c>, <c>fc2</c> units). The layer after a
/// pruned one keeps only the matching input columns; where a convolution feeds a fully
/// connected layer, each kept channel keeps its whole block of spatial positions (7×7 for
/// SmallCnn on 28×28 images), as <c>flatten</c> lays channels out one after another. The input
/// channels and the classes never change.</para>
/// <para>Not supported: <see cref="ResNetCifar"/>. Residual additions tie the channels of every
/// block in a stage to the shortcut's, so its channels must be pruned as groups and batch norm
/// with them: a different job. Use unstructured pruning (<see cref="MagnitudePruning"/>) there.</para>
/// <para>Each layer is ranked on its own original weights, biases not counted. A removed channel
/// whose weights and bias are zero contributed nothing, so removing only such channels leaves the
/// outputs unchanged; a removed channel with a nonzero bias took a constant with it, which
/// fine-tuning (<see cref="StudentPruner"/>) absorbs.</para>
/// </remarks>
public static class ChannelPruning
{
    /// <summary>Whether <see cref="Prune"/> can shrink <paramref name="model"/>: an <see cref="Mlp"/>, <see cref="SmallCnn"/> or <see cref="LeNet5"/>.</summary>
    public static bool Supports(nn.Module model) => model is Mlp or SmallCnn or LeNet5;

    /// <summary>
    /// Builds a copy of <paramref name="model"/> in which every prunable layer listed in the
    /// class remarks keeps <see cref="KeptCount"/> of its outputs, those of largest L1 norm.
    /// The original is not changed.
    /// </summary>
    /// <param name="model">An <see cref="Mlp"/>, <see cref="SmallCnn"/> or <see cref="LeNet5"/>.</param>
    /// <param name="ratio">Share of each pruned layer's channels or units to remove, in [0, 1); every layer keeps at least one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> is outside [0, 1).</exception>
    /// <exception cref="NotSupportedException">The model is of another class (see <see cref="Supports"/>).</exception>
    public static ChannelPruningResult Prune(nn.Module<Tensor, Tensor> model, double ratio)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(ratio >= 0 && ratio < 1))
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The share of channels to remove must lie in [0, 1).");
        return model switch
        {
            Mlp mlp => PruneMlp(mlp, ratio),
            SmallCnn cnn => PruneSmallCnn(cnn, ratio),
            LeNet5 lenet => PruneLeNet5(lenet, ratio),
            _ => throw new NotSupportedException(
                $"Structured pruning supports Mlp, SmallCnn and LeNet5, not {model.GetType().Name}; use unstructured magnitude pruning for it."),
        };
    }

    /// <summary>
    /// The <see cref="ModelSpec"/> that rebuilds <paramref name="pruned"/> (a result of
    /// <see cref="Prune"/>) through <see cref="ModelFactory"/>: <paramref name="original"/> with the
    /// pruned widths, <see cref="ModelSpec.HiddenWidths"/> for an mlp, <see cref="ModelSpec.Channels"/>
    /// for a small-cnn or lenet5. Saved as the model's <c>model.json</c>, it lets the smaller state
    /// dict be loaded like any other student's.
    /// </summary>
    /// <param name="original">The spec the unpruned model was built from.</param>
    /// <param name="pruned">The pruned model; read, not changed.</param>
    /// <exception cref="ArgumentException">The spec's kind is not the model's class.</exception>
    /// <exception cref="NotSupportedException">The model is of a class structured pruning does not support.</exception>
    public static ModelSpec PrunedSpec(ModelSpec original, nn.Module<Tensor, Tensor> pruned)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(pruned);
        var kind = original.Kind?.ToLowerInvariant();
        var fits = (kind, pruned) switch
        {
            ("mlp", Mlp) or ("small-cnn", SmallCnn) or ("lenet5", LeNet5) => true,
            _ => false,
        };
        if (!Supports(pruned)) throw new NotSupportedException($"Structured pruning supports Mlp, SmallCnn and LeNet5, not {pruned.GetType().Name}.");
        if (!fits) throw new ArgumentException($"ModelSpec.Kind is '{original.Kind}' but the pruned model is a {pruned.GetType().Name}.", nameof(original));
        int Outputs(string name) => checked((int)Weight(Child<nn.Module>(pruned, name)).shape[0]);
        return pruned switch
        {
            Mlp mlp => original with { HiddenWidths = mlp.LinearLayers.Take(mlp.LinearLayers.Count - 1).Select(layer => checked((int)layer.out_features)).ToArray() },
            SmallCnn => original with { Channels = [Outputs("conv1"), Outputs("conv2"), Outputs("fc1")] },
            _ => original with { Channels = [Outputs("conv1"), Outputs("conv2"), Outputs("fc1"), Outputs("fc2")] },
        };
    }

    /// <summary>
    /// The output indices (rows of a Linear weight, filters of a Conv2d weight) ordered by the L1
    /// norm of their weights, smallest first; equal norms keep index order.
    /// </summary>
    /// <param name="weight">A weight of at least two dimensions, outputs first.</param>
    public static long[] RankByL1(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() < 2) throw new ArgumentException($"A weight with outputs first needs at least 2 dimensions; this one has shape [{string.Join(", ", weight.shape)}].", nameof(weight));
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var norms = weight.detach().abs().flatten(1).sum(1);
        var (_, order) = norms.sort(stable: true);
        return order.cpu().data<long>().ToArray();
    }

    /// <summary>How many of <paramref name="outputs"/> channels or units a layer keeps: outputs − round(ratio × outputs) (ties to even), at least 1.</summary>
    public static long KeptCount(long outputs, double ratio) =>
        Math.Max(1, outputs - (long)Math.Round(ratio * outputs, MidpointRounding.ToEven));

    /// <summary>The outputs of <paramref name="weight"/> that pruning by <paramref name="ratio"/> keeps: the <see cref="KeptCount"/> of largest L1 norm, in ascending index order.</summary>
    public static long[] KeptByL1(Tensor weight, double ratio)
    {
        var ranking = RankByL1(weight);
        var kept = KeptCount(ranking.Length, ratio);
        var result = ranking[(int)(ranking.Length - kept)..];
        Array.Sort(result);
        return result;
    }

    private static ChannelPruningResult PruneMlp(Mlp mlp, double ratio)
    {
        var linears = mlp.LinearLayers;
        var hidden = linears.Count - 1;
        var kept = new long[hidden][];
        for (var i = 0; i < hidden; i++) kept[i] = KeptByL1(Weight(linears[i]), ratio);
        var pruned = new Mlp(linears[0].in_features, kept.Select(units => (long)units.Length).ToArray(), linears[^1].out_features);
        return Build(mlp, pruned, () =>
        {
            var keptByName = new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
            for (var i = 0; i < linears.Count; i++)
            {
                CopyLayer(linears[i], pruned.LinearLayers[i], i < hidden ? kept[i] : null, i > 0 ? kept[i - 1] : null);
                if (i < hidden) keptByName.Add(NameOf(mlp, linears[i]), kept[i]);
            }
            return keptByName;
        });
    }

    private static ChannelPruningResult PruneSmallCnn(SmallCnn cnn, double ratio)
    {
        var (conv1, conv2, fc1, fc2) = (Child<Conv2d>(cnn, "conv1"), Child<Conv2d>(cnn, "conv2"), Child<Linear>(cnn, "fc1"), Child<Linear>(cnn, "fc2"));
        var channels1 = KeptByL1(Weight(conv1), ratio);
        var channels2 = KeptByL1(Weight(conv2), ratio);
        var units = KeptByL1(Weight(fc1), ratio);
        var pruned = new SmallCnn(conv1.in_channels, fc2.out_features, channels1.Length, channels2.Length, units.Length, cnn.ImageSize, DropoutOf(cnn));
        return Build(cnn, pruned, () =>
        {
            CopyLayer(conv1, Child<Conv2d>(pruned, "conv1"), channels1, null);
            CopyLayer(conv2, Child<Conv2d>(pruned, "conv2"), channels2, channels1);
            CopyLayer(fc1, Child<Linear>(pruned, "fc1"), units, FlattenedColumns(channels2, fc1.in_features / conv2.out_channels));
            CopyLayer(fc2, Child<Linear>(pruned, "fc2"), null, units);
            return new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal) { ["conv1"] = channels1, ["conv2"] = channels2, ["fc1"] = units };
        });
    }

    private static ChannelPruningResult PruneLeNet5(LeNet5 lenet, double ratio)
    {
        var (conv1, conv2) = (Child<Conv2d>(lenet, "conv1"), Child<Conv2d>(lenet, "conv2"));
        var (fc1, fc2, fc3) = (Child<Linear>(lenet, "fc1"), Child<Linear>(lenet, "fc2"), Child<Linear>(lenet, "fc3"));
        var channels1 = KeptByL1(Weight(conv1), ratio);
        var channels2 = KeptByL1(Weight(conv2), ratio);
        var units1 = KeptByL1(Weight(fc1), ratio);
        var units2 = KeptByL1(Weight(fc2), ratio);
        var pruned = new LeNet5(conv1.in_channels, fc3.out_features, lenet.ImageSize, DropoutOf(lenet),
            channels1.Length, channels2.Length, units1.Length, units2.Length);
        return Build(lenet, pruned, () =>
        {
            CopyLayer(conv1, Child<Conv2d>(pruned, "conv1"), channels1, null);
            CopyLayer(conv2, Child<Conv2d>(pruned, "conv2"), channels2, channels1);
            CopyLayer(fc1, Child<Linear>(pruned, "fc1"), units1, FlattenedColumns(channels2, fc1.in_features / conv2.out_channels));
            CopyLayer(fc2, Child<Linear>(pruned, "fc2"), units2, units1);
            CopyLayer(fc3, Child<Linear>(pruned, "fc3"), null, units2);
            return new Dictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal)
            {
                ["conv1"] = channels1, ["conv2"] = channels2, ["fc1"] = units1, ["fc2"] = units2,
            };
        });
    }

    /// <summary>Places <paramref name="pruned"/> like <paramref name="original"/> (device, dtype, mode), fills it, and disposes it if filling fails.</summary>
    private static ChannelPruningResult Build(nn.Module<Tensor, Tensor> original, nn.Module<Tensor, Tensor> pruned,
        Func<Dictionary<string, IReadOnlyList<long>>> copyWeights)
    {
        try
        {
            var reference = Weight(PrunableLayers.Find(original)[0].Module);
            pruned.to(reference.device, reference.dtype);
            var kept = copyWeights();
            pruned.train(original.training);
            return new ChannelPruningResult(pruned, kept);
        }
        catch
        {
            pruned.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The input columns of a fully connected layer after <c>flatten</c> of a [C, H, W] map that
    /// belong to the kept channels: channel c owns columns c·spatial to c·spatial + spatial − 1.
    /// </summary>
    private static long[] FlattenedColumns(long[] channels, long spatial)
    {
        var columns = new long[channels.Length * spatial];
        for (var i = 0; i < channels.Length; i++)
            for (long position = 0; position < spatial; position++)
                columns[i * spatial + position] = channels[i] * spatial + position;
        return columns;
    }

    /// <summary>Copies the kept rows (outputs) and columns (inputs) of <paramref name="source"/>'s weight, and its kept bias entries, into <paramref name="target"/>.</summary>
    private static void CopyLayer(nn.Module source, nn.Module target, long[]? outputs, long[]? inputs)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var weight = Select(Select(Weight(source).detach(), 0, outputs), 1, inputs);
        CopyInto(Weight(target), weight, "weight");
        var bias = PrunableLayers.Bias(source);
        var targetBias = PrunableLayers.Bias(target);
        if (bias is null != targetBias is null) throw new InvalidOperationException("The pruned layer and its original disagree on having a bias.");
        if (bias is not null) CopyInto(targetBias!, Select(bias.detach(), 0, outputs), "bias");
    }

    private static Tensor Select(Tensor tensor, long dimension, long[]? indices) =>
        indices is null ? tensor : tensor.index_select(dimension, torch.tensor(indices, device: tensor.device));

    private static void CopyInto(Tensor target, Tensor source, string what)
    {
        // copy_ would broadcast a wrong shape silently; a mismatch here is a bug in the index arithmetic.
        if (!target.shape.SequenceEqual(source.shape))
            throw new InvalidOperationException(
                $"The pruned {what} has shape [{string.Join(", ", source.shape)}] but the smaller model expects [{string.Join(", ", target.shape)}].");
        target.copy_(source);
    }

    private static Parameter Weight(nn.Module layer) => PrunableLayers.Weight(layer);

    private static T Child<T>(nn.Module model, string name) where T : nn.Module =>
        model.named_children().FirstOrDefault(child => child.name == name).module as T
        ?? throw new InvalidOperationException($"{model.GetType().Name} has no {typeof(T).Name} named '{name}'.");

    private static double DropoutOf(nn.Module model) =>
        model.named_children().FirstOrDefault(child => child.name == "dropout").module is Dropout dropout ? dropout.p : 0.0;

    private static string NameOf(nn.Module model, nn.Module layer) =>
        model.named_modules().First(entry => ReferenceEquals(entry.module, layer)).name;
}
