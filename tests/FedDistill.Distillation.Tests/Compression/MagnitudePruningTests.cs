using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;
using static FedDistill.Distillation.Tests.Compression.PruningFixtures;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression;

[Collection(TorchGlobalState.Name)]
public sealed class MagnitudePruningTests
{
    [Fact]
    public void Global_pruning_zeroes_exactly_the_target_share_of_weights_the_smallest_ones_and_no_bias()
    {
        torch.manual_seed(1);
        using var model = new Mlp(8, [16], 3);
        var (first, second) = (model.LinearLayers[0], model.LinearLayers[1]);
        var weightsBefore = Values(first.weight!).Concat(Values(second.weight!)).ToArray();
        var biasesBefore = Values(first.bias!).Concat(Values(second.bias!)).ToArray();

        using var masks = MagnitudePruning.Global(model, 0.5);

        // 8·16 + 16·3 = 176 prunable weights; half of them is 88.
        var weightsAfter = Values(first.weight!).Concat(Values(second.weight!)).ToArray();
        Assert.Equal(88, weightsAfter.Count(value => value == 0));
        Assert.Equal(88, masks.PrunedCount);
        Assert.Equal(biasesBefore, Values(first.bias!).Concat(Values(second.bias!)).ToArray());
        var largestPruned = weightsBefore.Where((_, i) => weightsAfter[i] == 0).Max(Math.Abs);
        var smallestKept = weightsBefore.Where((_, i) => weightsAfter[i] != 0).Min(Math.Abs);
        Assert.True(largestPruned <= smallestKept, $"Pruned |w| up to {largestPruned} but kept |w| from {smallestKept}.");
        Assert.Equal(weightsBefore.Where((_, i) => weightsAfter[i] != 0), weightsAfter.Where(value => value != 0));
    }

    [Fact]
    public void Masks_that_keep_zeros_hold_the_zero_weights_of_a_model_at_zero_and_let_the_others_move()
    {
        torch.manual_seed(3);
        using var model = new Mlp(4, [3], 2);
        var first = model.LinearLayers[0];
        Set(first.weight!, [0f, 1f, 2f, 3f, 0f, 5f, 6f, 7f, 8f, 9f, 10f, 0f]);

        using var masks = PruningMasks.KeepZeros(model);
        using (torch.no_grad()) first.weight!.add_(1f);
        masks.Apply();

        Assert.Equal(3, masks.PrunedPerLayer["layers.1"]);
        Assert.Equal([0f, 2f, 3f, 4f, 0f, 6f, 7f, 8f, 9f, 10f, 11f, 0f], Values(first.weight!));
    }

    [Fact]
    public void Global_pruning_uses_one_threshold_so_the_layer_of_small_weights_goes_first()
    {
        using var model = new Mlp(4, [4], 2);
        // Layer 1: |w| = 1..16; layer 2: |w| = 0.01..0.08, all below layer 1's.
        Set(model.LinearLayers[0].weight!, Enumerable.Range(1, 16).Select(i => (float)(i % 2 == 0 ? i : -i)).ToArray());
        Set(model.LinearLayers[1].weight!, Enumerable.Range(1, 8).Select(i => i * 0.01f).ToArray());

        using var masks = MagnitudePruning.Global(model, 0.5);

        // 12 of 24: all 8 small weights, then |w| = 1, 2, 3, 4 of the first layer.
        Assert.Equal(new Dictionary<string, long> { ["layers.1"] = 4, ["layers.3"] = 8 }, masks.PrunedPerLayer);
        Assert.Equal([0f, 0f, 0f, 0f, -5, 6, -7, 8, -9, 10, -11, 12, -13, 14, -15, 16], Values(model.LinearLayers[0].weight!));
        Assert.Equal(4, Zeros(model.LinearLayers[0].weight!));
        Assert.Equal(8, Zeros(model.LinearLayers[1].weight!));
    }

    [Fact]
    public void Per_layer_pruning_gives_every_layer_the_target_sparsity()
    {
        using var model = new Mlp(4, [4], 2);
        Set(model.LinearLayers[0].weight!, Enumerable.Range(1, 16).Select(i => (float)i).ToArray());
        Set(model.LinearLayers[1].weight!, Enumerable.Range(1, 8).Select(i => i * 0.01f).ToArray());

        using var masks = MagnitudePruning.PerLayer(model, 0.5);

        Assert.Equal(new Dictionary<string, long> { ["layers.1"] = 8, ["layers.3"] = 4 }, masks.PrunedPerLayer);
        Assert.Equal(Enumerable.Repeat(0f, 8).Concat(Enumerable.Range(9, 8).Select(i => (float)i)), Values(model.LinearLayers[0].weight!));
        Assert.Equal(Enumerable.Repeat(0f, 4).Concat(Enumerable.Range(5, 4).Select(i => i * 0.01f)), Values(model.LinearLayers[1].weight!));
    }

    [Fact]
    public void Per_layer_pruning_reaches_the_exact_count_in_convolutions_and_linear_layers()
    {
        torch.manual_seed(2);
        using var model = new SmallCnn(inputChannels: 1, classes: 3, channels1: 4, channels2: 8, hiddenWidth: 16, imageSize: 8);

        using var masks = MagnitudePruning.PerLayer(model, 0.25);

        // Weights: conv1 4·1·3·3 = 36, conv2 8·4·3·3 = 288, fc1 16·(8·2·2) = 512, fc2 3·16 = 48; a quarter of each.
        var expected = new Dictionary<string, long> { ["conv1"] = 9, ["conv2"] = 72, ["fc1"] = 128, ["fc2"] = 12 };
        Assert.Equal(expected, masks.PrunedPerLayer);
        var weights = model.state_dict();
        foreach (var (layer, count) in expected) Assert.Equal(count, Zeros(weights[layer + ".weight"]));
        foreach (var layer in expected.Keys) Assert.Equal(0, Zeros(weights[layer + ".bias"]));
    }

    [Fact]
    public void Unstructured_pruning_of_a_resnet_prunes_convolutions_and_the_classifier_but_not_batch_norm()
    {
        torch.manual_seed(5);
        using var model = ResNetCifar.ResNet8(1, 10, 0.25);
        var prunable = model.state_dict().Where(pair => pair.Key.EndsWith(".weight", StringComparison.Ordinal) && pair.Value.dim() >= 2)
            .ToDictionary(pair => pair.Key, pair => pair.Value.numel());

        using var masks = MagnitudePruning.Global(model, 0.5);

        Assert.Equal(prunable.Keys.Select(name => name[..^".weight".Length]).Order(), masks.LayerNames.Order());
        Assert.Equal(MagnitudePruning.PrunedCount(prunable.Values.Sum(), 0.5), masks.PrunedCount);
        var weights = model.state_dict();
        Assert.Equal(masks.PrunedCount, prunable.Keys.Sum(name => Zeros(weights[name])));
        foreach (var (name, tensor) in weights.Where(pair => pair.Key.Contains("bn", StringComparison.Ordinal) && pair.Key.EndsWith(".weight", StringComparison.Ordinal)))
            Assert.Equal(0, Zeros(tensor));
    }

    [Theory]
    [InlineData(10, 0.25, 2)]   // 2.5 rounds to even
    [InlineData(14, 0.25, 4)]   // 3.5 rounds to even
    [InlineData(176, 0.5, 88)]
    [InlineData(7, 0.0, 0)]
    public void The_pruned_count_is_the_target_share_rounded_half_to_even(long weights, double sparsity, long expected) =>
        Assert.Equal(expected, MagnitudePruning.PrunedCount(weights, sparsity));

    [Fact]
    public void Masks_keep_pruned_weights_zero_through_fine_tuning_steps()
    {
        torch.manual_seed(3);
        using var model = new Mlp(8, [16], 3);
        using var masks = MagnitudePruning.Global(model, 0.6);
        using var mask1 = masks.MaskOf("layers.1");
        using var mask2 = masks.MaskOf("layers.3");
        var pruned1 = mask1.data<bool>().ToArray();
        var pruned2 = mask2.data<bool>().ToArray();
        var keptBefore = Values(model.LinearLayers[0].weight!);

        var steps = 0;
        var summary = new Trainer(new TrainerOptions(Epochs: 2, BatchSize: 16, LearningRate: 1e-2, Seed: 1, Device: "cpu"))
            .Train(model, Blobs(96, 5), null, new CrossEntropyLoss(), afterOptimizerStep: () => { masks.Apply(); steps++; });

        Assert.Equal(12, summary.Steps);
        Assert.Equal(12, steps);
        var after1 = Values(model.LinearLayers[0].weight!);
        var after2 = Values(model.LinearLayers[1].weight!);
        Assert.All(after1.Where((_, i) => pruned1[i]), value => Assert.Equal(0f, value));
        Assert.All(after2.Where((_, i) => pruned2[i]), value => Assert.Equal(0f, value));
        Assert.Equal(masks.PrunedCount, Zeros(model.LinearLayers[0].weight!) + Zeros(model.LinearLayers[1].weight!));
        // The kept weights did train.
        Assert.Contains(after1.Where((_, i) => !pruned1[i]).Zip(keptBefore.Where((_, i) => !pruned1[i])), pair => pair.First != pair.Second);
    }

    [Fact]
    public void Without_reapplying_the_masks_the_optimizer_revives_pruned_weights()
    {
        torch.manual_seed(3);
        using var model = new Mlp(8, [16], 3);
        using var masks = MagnitudePruning.Global(model, 0.6);

        new Trainer(new TrainerOptions(Epochs: 1, BatchSize: 16, LearningRate: 1e-2, Seed: 1, Device: "cpu"))
            .Train(model, Blobs(96, 5), null, new CrossEntropyLoss());

        Assert.True(Zeros(model.LinearLayers[0].weight!) + Zeros(model.LinearLayers[1].weight!) < masks.PrunedCount);
        masks.Apply();
        Assert.Equal(masks.PrunedCount, Zeros(model.LinearLayers[0].weight!) + Zeros(model.LinearLayers[1].weight!));
    }

    [Fact]
    public void Masks_from_zero_weights_capture_an_earlier_pruning()
    {
        using var model = new Mlp(2, [2], 2);
        Set(model.LinearLayers[0].weight!, [0f, 1f, 2f, 0f]);
        Set(model.LinearLayers[1].weight!, [3f, 4f, 0f, 5f]);

        using var masks = PruningMasks.FromZeroWeights(model);
        Set(model.LinearLayers[0].weight!, [9f, 9f, 9f, 9f]);
        Set(model.LinearLayers[1].weight!, [9f, 9f, 9f, 9f]);
        masks.Apply();

        Assert.Equal(3, masks.PrunedCount);
        Assert.Equal([0f, 9f, 9f, 0f], Values(model.LinearLayers[0].weight!));
        Assert.Equal([9f, 9f, 0f, 9f], Values(model.LinearLayers[1].weight!));
    }

    [Fact]
    public void Zero_sparsity_prunes_nothing()
    {
        torch.manual_seed(4);
        using var model = new Mlp(8, [16], 3);
        var before = Values(model.LinearLayers[0].weight!);
        using var masks = MagnitudePruning.Global(model, 0.0);
        Assert.Equal(0, masks.PrunedCount);
        Assert.Equal(before, Values(model.LinearLayers[0].weight!));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_sparsity_outside_zero_to_one_is_refused(double sparsity)
    {
        using var model = new Mlp(4, [4], 2);
        Assert.Equal("sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruning.Global(model, sparsity)).ParamName);
        Assert.Equal("sparsity", Assert.Throws<ArgumentOutOfRangeException>(() => MagnitudePruning.PerLayer(model, sparsity)).ParamName);
    }

    [Fact]
    public void A_model_without_convolutions_or_linear_layers_is_refused()
    {
        using var model = nn.Sequential(nn.ReLU());
        var error = Assert.Throws<ArgumentException>(() => MagnitudePruning.Global(model, 0.5));
        Assert.Contains("no Conv2d or Linear layer", error.Message);
    }
}
