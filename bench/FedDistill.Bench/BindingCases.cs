using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training.Optimizers;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Bench;

/// <summary>
/// The throughput benchmark's cases, mirroring bench/reference/pytorch_reference.py exactly:
/// the same models, batch sizes, loss (T = 4, α = 0.9) and optimizer (Adam, lr 1e-3).
/// </summary>
/// <remarks>
/// The training step is the Trainer's (src/Distillation/Training/Trainer.cs) without batch
/// assembly, written the fast way docs/benchmarks.md describes: one dispose scope per step,
/// gradients released (<c>model.zero_grad()</c>, set to none) rather than zero-filled,
/// <see cref="LeanAdam"/>. Inference runs under <c>torch.inference_mode()</c>.
/// </remarks>
public static class BindingCases
{
    public const int TrainBatch = 256;
    public const int InferenceBatch = 1024;
    public const int Classes = 10;

    /// <summary>The four cases, each with what it owns; <paramref name="availableThreads"/> caps <see cref="ThroughputCase.PolicyThreads"/>.</summary>
    public static IEnumerable<(ThroughputCase Case, IDisposable Resources)> Create(int availableThreads)
    {
        yield return KdTrain("kd_train_mlp", () => new Mlp(784, [256, 128], Classes), [TrainBatch, 784], availableThreads);
        yield return KdTrain("kd_train_cnn", () => new SmallCnn(), [TrainBatch, 1, 28, 28], availableThreads);
        yield return Inference("infer_mlp", () => new Mlp(784, [256, 128], Classes), [InferenceBatch, 784], availableThreads);
        yield return Inference("infer_cnn", () => new SmallCnn(), [InferenceBatch, 1, 28, 28], availableThreads);
    }

    private static (ThroughputCase, IDisposable) KdTrain(string name, Func<nn.Module<Tensor, Tensor>> build, long[] inputShape, int availableThreads)
    {
        torch.manual_seed(0);
        var model = build();
        var optimizer = new LeanAdam(model.parameters(), 1e-3);
        var input = torch.rand(inputShape);
        var teacherLogits = torch.randn(TrainBatch, Classes);
        var labels = torch.randint(0, Classes, [TrainBatch]);
        var loss = new KnowledgeDistillationLoss(temperature: 4, alpha: 0.9);
        model.train();
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var value = loss.Compute(model.forward(input), teacherLogits, labels);
            model.zero_grad();
            value.backward();
            optimizer.step();
        }
        return (new ThroughputCase(name, TrainBatch, Step, IntraOpThreads.For(model, availableThreads)),
            new Resources(model, optimizer, input, teacherLogits, labels));
    }

    private static (ThroughputCase, IDisposable) Inference(string name, Func<nn.Module<Tensor, Tensor>> build, long[] inputShape, int availableThreads)
    {
        torch.manual_seed(0);
        var model = build();
        model.eval();
        var input = torch.rand(inputShape);
        void Forward()
        {
            using var inference = torch.inference_mode();
            // The models release their own intermediates; the logits are the only tensor left.
            using var logits = model.forward(input);
        }
        return (new ThroughputCase(name, InferenceBatch, Forward, IntraOpThreads.For(model, availableThreads)), new Resources(model, input));
    }

    private sealed class Resources(params IDisposable[] owned) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in owned) item.Dispose();
        }
    }
}
