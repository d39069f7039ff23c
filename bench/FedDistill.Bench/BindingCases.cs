using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Torch;
using FedDistill.Torch.Nn;
using FedDistill.Torch.Optimizers;

namespace FedDistill.Bench;

/// <summary>
/// The foundation benchmark's cases, mirroring bench/reference/pytorch_reference.py exactly:
/// the same models, batch sizes, loss (T = 4, α = 0.9) and optimizer (Adam, lr 1e-3).
/// </summary>
public static class BindingCases
{
    public const int TrainBatch = 256;
    public const int InferenceBatch = 1024;

    public static IEnumerable<(ThroughputCase Case, IDisposable Resources)> Create()
    {
        yield return KdTrain("kd_train_mlp", () => new Mlp(784, [256, 128], 10), [TrainBatch, 784]);
        yield return KdTrain("kd_train_cnn", () => new SmallCnn(), [TrainBatch, 1, 28, 28]);
        yield return Inference("infer_mlp", () => new Mlp(784, [256, 128], 10), [InferenceBatch, 784]);
        yield return Inference("infer_cnn", () => new SmallCnn(), [InferenceBatch, 1, 28, 28]);
    }

    private static (ThroughputCase, IDisposable) KdTrain(string name, Func<Module> build, long[] inputShape)
    {
        Torch.Torch.ManualSeed(0);
        var model = build();
        var optimizer = new Adam(model.Parameters(), 1e-3);
        var input = Tensor.Rand(inputShape);
        var teacherLogits = Tensor.Randn([TrainBatch, 10]);
        var labels = Tensor.RandInt(0, 10, [TrainBatch]);
        var loss = new KnowledgeDistillationLoss(temperature: 4, alpha: 0.9);
        model.Train();
        void Step()
        {
            using var scope = DisposeScope.Enter();
            optimizer.ZeroGrad();
            var value = loss.Compute(model.Forward(input), teacherLogits, labels);
            value.Backward();
            optimizer.Step();
        }
        return (new ThroughputCase(name, TrainBatch, Step), new Resources(model, optimizer, input, teacherLogits, labels));
    }

    private static (ThroughputCase, IDisposable) Inference(string name, Func<Module> build, long[] inputShape)
    {
        Torch.Torch.ManualSeed(0);
        var model = build();
        model.Eval();
        var input = Tensor.Rand(inputShape);
        void Forward()
        {
            using var noGrad = NoGradScope.Enter();
            using var scope = DisposeScope.Enter();
            model.Forward(input);
        }
        return (new ThroughputCase(name, InferenceBatch, Forward), new Resources(model, input));
    }

    private sealed class Resources(params IDisposable[] owned) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in owned) item.Dispose();
        }
    }
}
