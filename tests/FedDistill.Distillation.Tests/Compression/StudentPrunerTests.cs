using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;
using static FedDistill.Distillation.Tests.Compression.PruningFixtures;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression;

[Collection(TorchGlobalState.Name)]
public sealed class StudentPrunerTests
{
    [Fact]
    public void Global_pruning_reports_parameters_nonzeros_and_sparsity_per_layer_and_overall()
    {
        torch.manual_seed(10);
        using var model = new Mlp(8, [16], 3);

        var result = StudentPruner.Prune(model, new PruningOptions(PruningOptions.UnstructuredGlobal, TargetSparsity: 0.5, FineTuneEpochs: 0));

        Assert.Same(model, result.Model);
        Assert.False(result.IsNewModel);
        var report = result.Report;
        // 8·16 + 16 + 16·3 + 3 = 195 parameters, of which 176 prunable weights; 88 pruned.
        Assert.Equal(195, report.ParametersBefore);
        Assert.Equal(195, report.ParametersAfter);
        Assert.Equal(195, report.NonzeroParametersBefore);
        Assert.Equal(195 - 88, report.NonzeroParametersAfter);
        Assert.Equal(0.5, report.PrunableWeightSparsity, 12);
        Assert.Equal(88.0 / 195, report.Sparsity, 12);
        Assert.Equal(["layers.1", "layers.3"], report.Layers.Select(layer => layer.Name));
        Assert.Equal(176 - 88, report.Layers.Sum(layer => layer.NonzeroWeights));
        Assert.All(report.Layers, layer => Assert.Equal(layer.ShapeBefore, layer.ShapeAfter));
        Assert.Equal(Zeros(model.LinearLayers[0].weight!), report.Layers[0].WeightsBefore - report.Layers[0].NonzeroWeights);
        Assert.Null(report.FineTuning);
    }

    [Fact]
    public void Per_layer_pruning_reports_the_target_sparsity_in_every_layer()
    {
        torch.manual_seed(11);
        using var model = new SmallCnn(1, 3, 4, 8, 16, 8);

        var report = StudentPruner.Prune(model, new PruningOptions(PruningOptions.UnstructuredPerLayer, TargetSparsity: 0.25, FineTuneEpochs: 0)).Report;

        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], report.Layers.Select(layer => layer.Name));
        Assert.Equal([36L, 288, 512, 48], report.Layers.Select(layer => layer.WeightsBefore));
        Assert.All(report.Layers, layer => Assert.Equal(0.25, layer.Sparsity, 12));
        Assert.Equal(0.25, report.PrunableWeightSparsity, 12);
        Assert.Equal(report.ParametersBefore - (9 + 72 + 128 + 12), report.NonzeroParametersAfter);
    }

    [Fact]
    public void Structured_pruning_reports_the_smaller_shapes_and_parameter_count()
    {
        torch.manual_seed(12);
        using var model = new SmallCnn(1, 3, 4, 6, 10, 8);

        var result = StudentPruner.Prune(model, new PruningOptions(PruningOptions.Structured, TargetSparsity: 0.5, FineTuneEpochs: 0));
        using var pruned = result.Model;

        Assert.True(result.IsNewModel);
        Assert.NotSame(model, pruned);
        var report = result.Report;
        // Before: (4·9 + 4) + (6·4·9 + 6) + (10·24 + 10) + (3·10 + 3) = 40 + 222 + 250 + 33 = 545; after: 160.
        Assert.Equal(545, report.ParametersBefore);
        Assert.Equal(160, report.ParametersAfter);
        Assert.Equal(pruned.ParameterCount(), report.ParametersAfter);
        Assert.Equal([[2L, 1, 3, 3], [3L, 2, 3, 3], [5L, 12], [3L, 5]], report.Layers.Select(layer => layer.ShapeAfter));
        Assert.Equal([[4L, 1, 3, 3], [6L, 4, 3, 3], [10L, 24], [3L, 10]], report.Layers.Select(layer => layer.ShapeBefore));
        Assert.Equal(1 - 160.0 / 545, report.Sparsity, 12);
        Assert.Equal(545, model.ParameterCount());
    }

    [Fact]
    public void Distillation_fine_tuning_recovers_the_accuracy_lost_to_pruning_and_keeps_the_sparsity()
    {
        var train = Blobs(900, 21);
        var test = Blobs(600, 22);
        torch.manual_seed(13);
        using var teacher = new Mlp(8, [32], 3);
        new Trainer(new TrainerOptions(Epochs: 6, BatchSize: 32, LearningRate: 1e-2, Seed: 1, Device: "cpu")).Train(teacher, train, null, new CrossEntropyLoss());
        var publicSet = Blobs(900, 23).WithoutLabels();
        using var teacherLogits = Predictor.PredictLogits(teacher, publicSet);
        var teacherAccuracy = Predictor.Accuracy(teacher, test);

        torch.manual_seed(14);
        using var student = new Mlp(8, [32], 3);
        new Trainer(new TrainerOptions(Epochs: 6, BatchSize: 32, LearningRate: 1e-2, Seed: 2, Device: "cpu"))
            .Train(student, publicSet, teacherLogits, new KnowledgeDistillationLoss(temperature: 2));
        // Global pruning to 80% leaves the output layer 9 of its 96 weights: accuracy drops to about 0.7.
        var trained = Snapshot(student);
        try
        {
            var options = new PruningOptions(PruningOptions.UnstructuredGlobal, TargetSparsity: 0.8, FineTuneEpochs: 0, Device: "cpu");
            StudentPruner.Prune(student, options);
            var prunedAccuracy = Predictor.Accuracy(student, test);

            student.load_state_dict(trained);
            var report = StudentPruner.Prune(student, options with { FineTuneEpochs = 4, LearningRate = 1e-2, Temperature = 2, BatchSize = 32 },
                publicSet, teacherLogits).Report;
            var fineTunedAccuracy = Predictor.Accuracy(student, test);

            Assert.True(prunedAccuracy < teacherAccuracy - 0.1, $"Pruning alone should hurt: {prunedAccuracy:F3} vs teacher {teacherAccuracy:F3}.");
            Assert.True(fineTunedAccuracy > teacherAccuracy - 0.05, $"Fine-tuned {fineTunedAccuracy:F3} vs pruned {prunedAccuracy:F3}, teacher {teacherAccuracy:F3}.");
            Assert.NotNull(report.FineTuning);
            Assert.Equal(4 * (900 / 32 + 1), report.FineTuning.Steps);
            Assert.True(report.PrunableWeightSparsity >= 0.8 - 1e-12, $"Sparsity after fine-tuning: {report.PrunableWeightSparsity}.");
        }
        finally
        {
            foreach (var tensor in trained.Values) tensor.Dispose();
        }
    }

    [Fact]
    public void Structured_pruning_then_fine_tuning_gives_a_small_dense_student_that_matches_the_teacher()
    {
        var train = Blobs(900, 31);
        var test = Blobs(600, 32);
        torch.manual_seed(15);
        using var teacher = new Mlp(8, [32], 3);
        new Trainer(new TrainerOptions(Epochs: 6, BatchSize: 32, LearningRate: 1e-2, Seed: 1, Device: "cpu")).Train(teacher, train, null, new CrossEntropyLoss());
        using var teacherLogits = Predictor.PredictLogits(teacher, train);

        var result = StudentPruner.Prune(teacher, new PruningOptions(PruningOptions.Structured, TargetSparsity: 0.875, FineTuneEpochs: 4,
            LearningRate: 1e-2, Temperature: 2, BatchSize: 32, Device: "cpu"), train, teacherLogits);
        using var student = result.Model;

        Assert.Equal([4L, 8], ((Mlp)student).LinearLayers[0].weight!.shape);
        // (8·4 + 4) + (4·3 + 3) = 51 of (8·32 + 32) + (32·3 + 3) = 387.
        Assert.Equal(51, result.Report.ParametersAfter);
        Assert.Equal(387, result.Report.ParametersBefore);
        Assert.True(Predictor.Accuracy(student, test) > Predictor.Accuracy(teacher, test) - 0.05);
    }
}
