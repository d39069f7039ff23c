using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

/// <summary>
/// A small SmallCnn student distilled in float from the Bayes-optimal teacher of the quadrant
/// task, trained once for the quantization tests that compare int8 with fp32 accuracy.
/// </summary>
public sealed class DistilledStudent : IDisposable
{
    /// <summary>Seeds libtorch before <see cref="CreateStudent"/>, so QAT can start from the float student's initial weights.</summary>
    public const long InitSeed = 11;

    public DistilledStudent()
    {
        PublicSet = QuantizationTestModels.Quadrants(1000, 2).WithoutLabels();
        Test = QuantizationTestModels.Quadrants(1000, 3);
        TeacherLogits = QuantizationTestModels.BayesTeacherLogits(PublicSet);
        torch.manual_seed(InitSeed);
        Student = CreateStudent();
        new Trainer(Options).Train(Student, PublicSet, TeacherLogits, Loss);
        Fp32Accuracy = Predictor.Accuracy(Student, Test);
    }

    public static TrainerOptions Options { get; } = new(Epochs: 4, BatchSize: 50, LearningRate: 1e-2, Seed: 2);

    public static IDistillationLoss Loss { get; } = new KnowledgeDistillationLoss(temperature: 2);

    public Dataset PublicSet { get; }

    public Dataset Test { get; }

    public Tensor TeacherLogits { get; }

    public SmallCnn Student { get; }

    public double Fp32Accuracy { get; }

    public static SmallCnn CreateStudent() => new(1, 4, 4, 8, 16, imageSize: 8);

    public void Dispose()
    {
        Student.Dispose();
        TeacherLogits.Dispose();
    }
}
