using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Models;
using TorchSharp;
using static FedDistill.Distillation.Tests.Compression.PruningFixtures;

namespace FedDistill.Distillation.Tests.Compression;

[Collection(TorchGlobalState.Name)]
public sealed class PruningOptionsTests
{
    public static TheoryData<PruningOptions, string> BadOptions => new()
    {
        { new PruningOptions(Kind: "magnitude"), "Kind" },
        { new PruningOptions(TargetSparsity: 1.0), "TargetSparsity" },
        { new PruningOptions(TargetSparsity: -0.5), "TargetSparsity" },
        { new PruningOptions(TargetSparsity: double.NaN), "TargetSparsity" },
        { new PruningOptions(FineTuneEpochs: -1), "FineTuneEpochs" },
        { new PruningOptions(LearningRate: 0), "LearningRate" },
        { new PruningOptions(LearningRate: double.PositiveInfinity), "LearningRate" },
        { new PruningOptions(Temperature: 0), "Temperature" },
        { new PruningOptions(Alpha: 1.5), "Alpha" },
        { new PruningOptions(BatchSize: 0), "BatchSize" },
        { new PruningOptions(Device: "tpu"), "Device" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_setting_is_refused_with_its_name(PruningOptions options, string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => options.Validate());
        Assert.Equal(setting, error.ParamName);
        Assert.Contains($"PruningOptions.{setting} is", error.Message);
    }

    [Fact]
    public void The_defaults_and_every_kind_are_valid()
    {
        foreach (var kind in PruningOptions.Kinds) new PruningOptions(Kind: kind).Validate();
        Assert.Equal(["unstructured-global", "unstructured-layer", "structured"], PruningOptions.Kinds);
    }

    [Fact]
    public void The_pruner_refuses_bad_options_before_touching_the_model()
    {
        torch.manual_seed(9);
        using var model = new Mlp(4, [4], 2);
        var before = Values(model.LinearLayers[0].weight!);

        var error = Assert.Throws<ArgumentException>(() => StudentPruner.Prune(model, new PruningOptions(TargetSparsity: 1.2, FineTuneEpochs: 0)));

        Assert.Contains("PruningOptions.TargetSparsity", error.Message);
        Assert.Equal(before, Values(model.LinearLayers[0].weight!));
    }

    [Fact]
    public void Fine_tuning_without_data_is_refused_naming_the_epochs_setting()
    {
        using var model = new Mlp(4, [4], 2);
        var error = Assert.Throws<ArgumentException>(() => StudentPruner.Prune(model, new PruningOptions(FineTuneEpochs: 2)));
        Assert.Contains("PruningOptions.FineTuneEpochs", error.Message);
    }

    [Fact]
    public void Structured_pruning_of_a_resnet_is_refused_naming_the_kind_setting()
    {
        using var model = ResNetCifar.ResNet8(1, 10, 0.25);
        var error = Assert.Throws<ArgumentException>(() =>
            StudentPruner.Prune(model, new PruningOptions(Kind: PruningOptions.Structured, FineTuneEpochs: 0)));
        Assert.Contains("PruningOptions.Kind is 'structured'", error.Message);
        Assert.Contains("ResNetCifar", error.Message);
    }
}
