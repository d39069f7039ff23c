using System.Diagnostics;
using System.Globalization;
using FedDistill.Client.Rendering;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;

namespace FedDistill.Client.Demo;

/// <summary>
/// Centralized distillation on Fashion-MNIST: a CNN teacher trains on the training images, then
/// an MLP student learns from the teacher's soft labels (and the hard labels), and both are
/// evaluated on the test set.
/// </summary>
public static class CentralizedDemo
{
    /// <summary>Runs the demo, writing a report to <paramref name="output"/>; returns the process exit code.</summary>
    public static Task<int> RunAsync(DemoOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        torch.set_num_threads(options.Threads);
        torch.manual_seed(unchecked((long)options.Seed));
        output.WriteLine($"FedDistill demo: libtorch {torch.__version__}, {torch.get_num_threads()} threads");

        var train = FashionMnist.LoadTrain(options.DataDirectory);
        var test = FashionMnist.LoadTest(options.DataDirectory);
        if (options.TrainLimit is { } trainLimit) train = train.Subset(Enumerable.Range(0, Math.Min(trainLimit, train.Count)).ToArray());
        if (options.TestLimit is { } testLimit) test = test.Subset(Enumerable.Range(0, Math.Min(testLimit, test.Count)).ToArray());
        var normalization = GlobalNormalization.Fit(train);
        train = normalization.Apply(train);
        test = normalization.Apply(test);
        output.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images");

        var teacherWatch = Stopwatch.StartNew();
        using var teacher = new SmallCnn();
        var teacherTrainer = new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: options.TeacherEpochs, BatchSize: 128, LearningRate: 2e-3, Seed: options.Seed));
        TrainingProgressView.Run("teacher", progress => teacherTrainer.Train(teacher, train, null, new CrossEntropyLoss(), progress, cancellationToken));
        var teacherAccuracy = Predictor.Accuracy(teacher, test);
        teacherWatch.Stop();

        var studentWatch = Stopwatch.StartNew();
        using var student = new Mlp(train.FeatureLength, [256, 128], train.ClassCount);
        double studentAccuracy;

        // The student's tensor work, synchronously in one scope: no tensor outlives it.
        using (torch.NewDisposeScope())
        {
            var teacherLogits = Predictor.PredictLogits(teacher, train);
            var loss = new KnowledgeDistillationLoss(options.Temperature, options.Alpha);
            var trainer = new Trainer(new TrainerOptions(Schedule: "cosine", Epochs: options.StudentEpochs, BatchSize: 128, LearningRate: 2e-3, Seed: options.Seed + 1));
            TrainingProgressView.Run("student", progress => trainer.Train(student, train, teacherLogits, loss, progress, cancellationToken));
            studentAccuracy = Predictor.Accuracy(student, test);
        }

        studentWatch.Stop();

        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine("model              parameters  test accuracy  time");
        output.WriteLine(string.Format(invariant, "teacher (CNN)      {0,10:N0}  {1,13:F4}  {2,5:F1} s", teacher.ParameterCount(), teacherAccuracy, teacherWatch.Elapsed.TotalSeconds));
        output.WriteLine(string.Format(invariant, "student (MLP)      {0,10:N0}  {1,13:F4}  {2,5:F1} s", student.parameters().Sum(parameter => parameter.numel()), studentAccuracy, studentWatch.Elapsed.TotalSeconds));
        output.WriteLine(string.Format(invariant, "teacher accuracy: {0:F4}", teacherAccuracy));
        output.WriteLine(string.Format(invariant, "student accuracy: {0:F4}", studentAccuracy));
        return Task.FromResult(0);
    }
}
