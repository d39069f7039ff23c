using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;

namespace FedDistill.Client.Tests.Support;

/// <summary>
/// A published student as <c>feddistill compress</c> finds one: a small-cnn with widths 4, 8, 16
/// trained for one epoch on 512 Fashion-MNIST training images, saved as student.safetensors and
/// model.json in a temporary directory. Also its test accuracy, computed here with the
/// normalization the command should use, independently of the command's code.
/// </summary>
public sealed class TinyStudent : IDisposable
{
    /// <summary>Test images the compress tests evaluate on.</summary>
    public const int TestExamples = 1000;

    private readonly TemporaryDirectory _directory = new();

    public TinyStudent()
    {
        Spec = new ModelSpec { Kind = "small-cnn", Channels = [4, 8, 16] };
        // The federation's normalization: mean and standard deviation of the raw pixels of
        // training images 50,000 to 59,999 (its public set).
        var train = FashionMnist.LoadTrain();
        var normalization = GlobalNormalization.Fit(train.Subset(Enumerable.Range(50_000, 10_000).ToArray()));
        var training = normalization.Apply(train.Subset(Enumerable.Range(0, 512).ToArray()));
        var test = normalization.Apply(FashionMnist.LoadTest().Subset(Enumerable.Range(0, TestExamples).ToArray()));
        TestImages = test;

        torch.manual_seed(5);
        using var model = ModelFactory.Create(Spec, [1, 28, 28]);
        new Trainer(new TrainerOptions(Epochs: 1, BatchSize: 32, LearningRate: 3e-3, Seed: 5, Device: "cpu")).Train(model, training, null, new CrossEntropyLoss());
        Accuracy = Predictor.Accuracy(model, test);
        Parameters = model.parameters().Sum(parameter => parameter.numel());
        ModelFiles.SaveWeights(model, Path.Combine(Directory, "student.safetensors"));
        ModelSpecFile.Write(Spec, Path.Combine(Directory, "model.json"));
    }

    /// <summary>The student directory.</summary>
    public string Directory => _directory.Path;

    /// <summary>The student's model spec.</summary>
    public ModelSpec Spec { get; }

    /// <summary>Its accuracy on the first <see cref="TestExamples"/> test images.</summary>
    public double Accuracy { get; }

    /// <summary>The first <see cref="TestExamples"/> test images, normalized as the command normalizes them.</summary>
    public Dataset TestImages { get; }

    /// <summary>Its parameter elements.</summary>
    public long Parameters { get; }

    public void Dispose() => _directory.Dispose();
}
