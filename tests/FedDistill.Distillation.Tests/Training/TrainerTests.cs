using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Training;

[Collection(TorchGlobalState.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-trainer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Two Gaussian blobs per class in 8 dimensions: learnable in a few epochs.</summary>
    private static Dataset Blobs(int count, ulong seed, int classes = 3)
    {
        var random = new DeterministicRandom(seed);
        var features = new float[count * 8];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % classes;
            for (var j = 0; j < 8; j++)
                features[i * 8 + j] = (float)((j % classes == labels[i] ? 2.0 : 0.0) + random.NextGaussian() * 0.5);
        }
        return new Dataset(features, [8], labels, classes);
    }

    [Fact]
    public void Supervised_training_learns_separable_classes()
    {
        var train = Blobs(600, 1);
        using var model = new Mlp(8, [16], 3);
        var summary = new Trainer(new TrainerOptions(Epochs: 5, BatchSize: 32, LearningRate: 1e-2, Seed: 3)).Train(model, train, null, new CrossEntropyLoss());

        Assert.True(Predictor.Accuracy(model, Blobs(300, 2)) > 0.95);
        Assert.Equal(5 * (600 / 32 + 1), summary.Steps);
        Assert.False(model.training);
    }

    [Fact]
    public void The_same_seed_gives_the_same_weights()
    {
        var train = Blobs(200, 1);
        float[] Run()
        {
            torch.manual_seed(11);
            using var model = new Mlp(8, [16], 3);
            new Trainer(new TrainerOptions(Epochs: 2, BatchSize: 16, Seed: 5)).Train(model, train, null, new CrossEntropyLoss());
            return model.state_dict()["layers.1.weight"].data<float>().ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Distillation_on_an_unlabeled_set_moves_the_student_toward_the_teacher()
    {
        var labeled = Blobs(600, 1);
        using var teacher = new Mlp(8, [16], 3);
        new Trainer(new TrainerOptions(Epochs: 5, BatchSize: 32, LearningRate: 1e-2, Seed: 3)).Train(teacher, labeled, null, new CrossEntropyLoss());
        var publicSet = Blobs(600, 9).WithoutLabels();
        using var teacherLogits = Predictor.PredictLogits(teacher, publicSet);

        using var student = new Mlp(8, [], 3);
        new Trainer(new TrainerOptions(Epochs: 8, BatchSize: 32, LearningRate: 1e-2, Seed: 4))
            .Train(student, publicSet, teacherLogits, new KnowledgeDistillationLoss(temperature: 2));

        Assert.True(Predictor.Accuracy(student, Blobs(300, 2)) > 0.9);
    }

    [Fact]
    public void A_step_budget_stops_mid_epoch()
    {
        using var model = new Mlp(8, [4], 3);
        var summary = new Trainer(new TrainerOptions(Epochs: 10, BatchSize: 10, MaxSteps: 7)).Train(model, Blobs(100, 1), null, new CrossEntropyLoss());
        Assert.Equal(7, summary.Steps);
        Assert.True(summary.StoppedEarly);
    }

    [Fact]
    public void Progress_reports_every_step_and_closes_each_epoch_with_validation_accuracy()
    {
        var reports = new List<TrainingProgress>();
        using var model = new Mlp(8, [8], 3);
        new Trainer(new TrainerOptions(Epochs: 2, BatchSize: 50)).Train(model, Blobs(100, 1), null, new CrossEntropyLoss(),
            new InlineProgress(reports.Add), validation: Blobs(50, 2));

        Assert.Equal(4, reports.Count);
        Assert.Equal([false, true, false, true], reports.Select(report => report.EpochCompleted));
        Assert.All(reports.Where(report => report.EpochCompleted), report => Assert.InRange(report.ValidationAccuracy!.Value, 0, 1));
        Assert.All(reports, report => Assert.True(double.IsFinite(report.Loss) && report.SamplesPerSecond > 0));
    }

    [Fact]
    public void Cancellation_stops_training_between_steps()
    {
        using var cancellation = new CancellationTokenSource();
        using var model = new Mlp(8, [8], 3);
        var steps = 0;
        Assert.Throws<OperationCanceledException>(() => new Trainer(new TrainerOptions(Epochs: 5, BatchSize: 10)).Train(model, Blobs(100, 1), null,
            new CrossEntropyLoss(), new InlineProgress(_ => { if (++steps == 3) cancellation.Cancel(); }), cancellation.Token));
        Assert.Equal(3, steps);
    }

    [Fact]
    public void Early_stopping_restores_the_best_validation_weights()
    {
        // A learning rate far too high makes validation accuracy fall after the first epochs.
        var train = Blobs(300, 1);
        var validation = Blobs(150, 2);
        using var model = new Mlp(8, [32], 3);
        var summary = new Trainer(new TrainerOptions(Epochs: 30, BatchSize: 16, LearningRate: 0.5, Optimizer: "sgd", Schedule: "constant", EarlyStoppingPatience: 2))
            .Train(model, train, null, new CrossEntropyLoss(), validation: validation);

        Assert.Equal(summary.BestValidationAccuracy!.Value, Predictor.Accuracy(model, validation), 6);
    }

    [Fact]
    public void A_run_resumes_from_its_checkpoint_after_the_last_finished_epoch()
    {
        var path = Path.Combine(_directory, "run.safetensors");
        var train = Blobs(200, 1);
        using (var first = new Mlp(8, [8], 3))
            new Trainer(new TrainerOptions(Epochs: 2, BatchSize: 20, CheckpointPath: path)).Train(first, train, null, new CrossEntropyLoss());

        using var second = new Mlp(8, [8], 3);
        var summary = new Trainer(new TrainerOptions(Epochs: 3, BatchSize: 20, CheckpointPath: path)).Train(second, train, null, new CrossEntropyLoss());

        Assert.Equal(2, summary.ResumedFromEpoch);
        Assert.Equal(30, summary.Steps);
    }

    [Theory]
    [InlineData("Optimizer", "rmsprop")]
    [InlineData("Schedule", "linear")]
    public void Impossible_settings_name_the_setting_and_what_is_allowed(string setting, string value)
    {
        var options = setting == "Optimizer" ? new TrainerOptions(Optimizer: value) : new TrainerOptions(Schedule: value);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(options));
        Assert.Contains($"TrainerOptions.{setting} is {value}", error.Message);
        Assert.Contains("must be one of", error.Message);
    }

    private sealed class InlineProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => handler(value);
    }
}
