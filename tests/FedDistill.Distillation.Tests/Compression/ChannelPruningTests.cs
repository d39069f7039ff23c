using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static FedDistill.Distillation.Tests.Compression.PruningFixtures;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression;

[Collection(TorchGlobalState.Name)]
public sealed class ChannelPruningTests
{
    [Fact]
    public void L1_ranking_orders_linear_units_by_absolute_weight_sum_ties_by_index()
    {
        // Row L1 norms: 3, 1, 4, 1, 5.
        using var weight = torch.tensor(new float[] { 1, -2, 0.5f, 0.5f, -4, 0, 1, 0, 2, -3 }, new long[] { 5, 2 });

        Assert.Equal([1L, 3, 0, 2, 4], ChannelPruning.RankByL1(weight));
        // Removing round(0.4 · 5) = 2 drops the two of norm 1.
        Assert.Equal([0L, 2, 4], ChannelPruning.KeptByL1(weight, 0.4));
    }

    [Fact]
    public void L1_ranking_of_convolution_filters_sums_over_input_channels_and_kernel()
    {
        // Three filters of shape [2, 2, 2]; L1 norms 8·0.5 = 4, 8·0.1 = 0.8, 8·0.2 + 1 = 2.6 (one entry of -1.2 instead of 0.2).
        var values = Enumerable.Repeat(0.5f, 8).Concat(Enumerable.Repeat(-0.1f, 8)).Concat(Enumerable.Repeat(0.2f, 7)).Append(-1.2f).ToArray();
        using var weight = torch.tensor(values, new long[] { 3, 2, 2, 2 });

        Assert.Equal([1L, 2, 0], ChannelPruning.RankByL1(weight));
        Assert.Equal([0L, 2], ChannelPruning.KeptByL1(weight, 0.3));
    }

    [Theory]
    [InlineData(8, 0.25, 6)]
    [InlineData(10, 0.25, 8)]  // round(2.5) = 2
    [InlineData(6, 0.5, 3)]
    [InlineData(2, 0.9, 1)]    // never below one
    [InlineData(5, 0.0, 5)]
    public void Each_layer_keeps_its_outputs_less_the_rounded_share_but_at_least_one(long outputs, double ratio, long expected) =>
        Assert.Equal(expected, ChannelPruning.KeptCount(outputs, ratio));

    [Fact]
    public void Mlp_without_contribution_from_the_removed_units_shrinks_and_keeps_its_outputs()
    {
        torch.manual_seed(5);
        using var model = new Mlp(6, [8, 4], 3);
        ZeroOutputs(model.LinearLayers[0].weight!, model.LinearLayers[0].bias, 1, 5);
        ZeroOutputs(model.LinearLayers[1].weight!, model.LinearLayers[1].bias, 2);
        using var input = torch.randn(5, 6);
        var expected = Logits(model, input);

        var result = ChannelPruning.Prune(model, 0.25);
        using var pruned = result.Model;

        var smaller = Assert.IsType<Mlp>(pruned);
        Assert.Equal([[6L, 6], [3L, 6], [3L, 3]], smaller.LinearLayers.Select(layer => layer.weight!.shape));
        // (6·6 + 6) + (6·3 + 3) + (3·3 + 3) = 75.
        Assert.Equal(75, pruned.ParameterCount());
        Assert.Equal([0L, 2, 3, 4, 6, 7], result.KeptOutputs["layers.1"]);
        Assert.Equal([0L, 1, 3], result.KeptOutputs["layers.3"]);
        AssertSameLogits(expected, Logits(pruned, input));
    }

    [Fact]
    public void SmallCnn_without_contribution_from_the_removed_channels_shrinks_and_keeps_its_outputs()
    {
        torch.manual_seed(6);
        using var model = new SmallCnn(inputChannels: 1, classes: 3, channels1: 4, channels2: 6, hiddenWidth: 10, imageSize: 8);
        var (conv1, conv2, fc1) = ((Conv2d)Layer(model, "conv1"), (Conv2d)Layer(model, "conv2"), (Linear)Layer(model, "fc1"));
        ZeroOutputs(conv1.weight!, conv1.bias, 0, 3);
        ZeroOutputs(conv2.weight!, conv2.bias, 1, 2, 4);
        ZeroOutputs(fc1.weight!, fc1.bias, 0, 2, 4, 6, 8);
        using var input = torch.randn(4, 1, 8, 8);
        var expected = Logits(model, input);

        var result = ChannelPruning.Prune(model, 0.5);
        using var pruned = result.Model;

        Assert.IsType<SmallCnn>(pruned);
        var shapes = pruned.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape);
        Assert.Equal([2L, 1, 3, 3], shapes["conv1.weight"]);
        Assert.Equal([3L, 2, 3, 3], shapes["conv2.weight"]);
        // fc1 keeps conv2's channels 0, 3, 5, each with its 2×2 block of positions.
        Assert.Equal([5L, 3 * 2 * 2], shapes["fc1.weight"]);
        Assert.Equal([3L, 5], shapes["fc2.weight"]);
        // (2·9 + 2) + (3·2·9 + 3) + (5·12 + 5) + (3·5 + 3) = 160.
        Assert.Equal(160, pruned.ParameterCount());
        using (var sameWidths = new SmallCnn(1, 3, 2, 3, 5, 8)) Assert.Equal(sameWidths.ParameterCount(), pruned.ParameterCount());
        Assert.Equal([1L, 2], result.KeptOutputs["conv1"]);
        Assert.Equal([0L, 3, 5], result.KeptOutputs["conv2"]);
        Assert.Equal([1L, 3, 5, 7, 9], result.KeptOutputs["fc1"]);
        AssertSameLogits(expected, Logits(pruned, input));
    }

    [Fact]
    public void LeNet5_without_contribution_from_the_removed_channels_shrinks_and_keeps_its_outputs()
    {
        torch.manual_seed(7);
        using var model = new LeNet5(inputChannels: 1, classes: 10, imageSize: 28);
        var layers = new[] { "conv1", "conv2", "fc1", "fc2" }.ToDictionary(name => name, name => Layer(model, name));
        ZeroOutputs(((Conv2d)layers["conv1"]).weight!, ((Conv2d)layers["conv1"]).bias, 1, 3, 5);
        ZeroOutputs(((Conv2d)layers["conv2"]).weight!, ((Conv2d)layers["conv2"]).bias, Enumerable.Range(0, 8).Select(i => 2L * i).ToArray());
        ZeroOutputs(((Linear)layers["fc1"]).weight!, ((Linear)layers["fc1"]).bias, Enumerable.Range(0, 60).Select(i => 2L * i + 1).ToArray());
        ZeroOutputs(((Linear)layers["fc2"]).weight!, ((Linear)layers["fc2"]).bias, Enumerable.Range(42, 42).Select(i => (long)i).ToArray());
        using var input = torch.randn(2, 1, 28, 28);
        var expected = Logits(model, input);

        var result = ChannelPruning.Prune(model, 0.5);
        using var pruned = result.Model;

        Assert.IsType<LeNet5>(pruned);
        var shapes = pruned.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape);
        Assert.Equal([3L, 1, 5, 5], shapes["conv1.weight"]);
        Assert.Equal([8L, 3, 5, 5], shapes["conv2.weight"]);
        Assert.Equal([60L, 8 * 5 * 5], shapes["fc1.weight"]);
        Assert.Equal([42L, 60], shapes["fc2.weight"]);
        Assert.Equal([10L, 42], shapes["fc3.weight"]);
        // (75 + 3) + (600 + 8) + (12000 + 60) + (2520 + 42) + (420 + 10) = 15,738.
        Assert.Equal(15_738, pruned.ParameterCount());
        using (var sameWidths = new LeNet5(1, 10, 28, channels1: 3, channels2: 8, hidden1: 60, hidden2: 42))
            Assert.Equal(sameWidths.ParameterCount(), pruned.ParameterCount());
        Assert.Equal([0L, 2, 4], result.KeptOutputs["conv1"]);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 2L * i + 1), result.KeptOutputs["conv2"]);
        AssertSameLogits(expected, Logits(pruned, input));
    }

    [Fact]
    public void Structured_pruning_keeps_the_state_dict_names_and_leaves_the_original_untouched()
    {
        torch.manual_seed(8);
        using var model = new SmallCnn(1, 3, 4, 6, 10, 8);
        var before = Snapshot(model);
        try
        {
            using var pruned = ChannelPruning.Prune(model, 0.5).Model;

            Assert.Equal(model.state_dict().Keys, pruned.state_dict().Keys);
            foreach (var (name, tensor) in model.state_dict()) Assert.Equal(Values(before[name]), Values(tensor));
        }
        finally
        {
            foreach (var tensor in before.Values) tensor.Dispose();
        }
    }

    [Fact]
    public void Structured_pruning_copies_the_kept_weights_of_the_largest_l1_outputs()
    {
        using var model = new Mlp(2, [3], 2);
        // Hidden units' L1 norms 3, 0.3, 7: unit 1 goes.
        Set(model.LinearLayers[0].weight!, [1f, -2f, 0.1f, 0.2f, 3f, 4f]);
        Set(model.LinearLayers[0].bias!, [0.5f, 0.6f, 0.7f]);
        Set(model.LinearLayers[1].weight!, [10f, 11f, 12f, 20f, 21f, 22f]);

        using var pruned = (Mlp)ChannelPruning.Prune(model, 1.0 / 3).Model;

        Assert.Equal([1f, -2f, 3f, 4f], Values(pruned.LinearLayers[0].weight!));
        Assert.Equal([0.5f, 0.7f], Values(pruned.LinearLayers[0].bias!));
        Assert.Equal([10f, 12f, 20f, 22f], Values(pruned.LinearLayers[1].weight!));
        Assert.Equal(Values(model.LinearLayers[1].bias!), Values(pruned.LinearLayers[1].bias!));
    }

    [Fact]
    public void Structured_pruning_of_a_resnet_is_not_supported()
    {
        using var model = ResNetCifar.ResNet8(1, 10, 0.25);
        Assert.False(ChannelPruning.Supports(model));
        var error = Assert.Throws<NotSupportedException>(() => ChannelPruning.Prune(model, 0.5));
        Assert.Contains("ResNetCifar", error.Message);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("small-cnn")]
    [InlineData("lenet5")]
    public void The_pruned_spec_rebuilds_the_smaller_network_and_its_state_dict_loads_into_it(string kind)
    {
        torch.manual_seed(9);
        var spec = new ModelSpec { Kind = kind, Dropout = kind == "mlp" ? 0 : 0.25 };
        using var model = ModelFactory.Create(spec, [1, 28, 28]);
        using var pruned = ChannelPruning.Prune(model, 0.5).Model;

        var prunedSpec = ChannelPruning.PrunedSpec(spec, pruned);

        Assert.Equal(spec.Dropout, prunedSpec.Dropout);
        int[] widths = kind switch { "mlp" => [128, 64], "small-cnn" => [8, 16, 64], _ => [3, 8, 60, 42] };
        Assert.Equal(widths, (kind == "mlp" ? prunedSpec.HiddenWidths : prunedSpec.Channels)!);
        using var rebuilt = ModelFactory.Create(prunedSpec, [1, 28, 28]);
        Assert.Equal(pruned.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape), rebuilt.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.shape));
        rebuilt.load_state_dict(pruned.state_dict());
    }

    [Fact]
    public void The_pruned_spec_must_name_the_model_s_kind()
    {
        using var model = new SmallCnn();
        var error = Assert.Throws<ArgumentException>(() => ChannelPruning.PrunedSpec(new ModelSpec { Kind = "lenet5" }, model));
        Assert.Contains("ModelSpec.Kind is 'lenet5' but the pruned model is a SmallCnn", error.Message);
    }

    private static nn.Module Layer(nn.Module model, string name) => model.named_children().Single(child => child.name == name).module;
}
