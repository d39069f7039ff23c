using FedDistill.Torch.Nn;
using FedDistill.Torch.Optimizers;
using FedDistill.Torch.Tests.Runtime;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Modules;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class MlpTrainingTests
{
    /// <summary>Points of the plane labelled by quadrant (0..3): separable, but not by one linear layer.</summary>
    private static (Tensor Points, Tensor Labels) Quadrants(long count)
    {
        using var scope = DisposeScope.Enter();
        var points = Tensor.Randn([count, 2]);
        var right = points.Narrow(1, 0, 1).Gt(0).To(DType.Int64);
        var upper = points.Narrow(1, 1, 1).Gt(0).To(DType.Int64);
        var labels = (right + upper + upper).Flatten(); // tensor + tensor keeps int64
        return (scope.MoveToOuter(points), scope.MoveToOuter(labels));
    }

    private static double Accuracy(Module model, Tensor points, Tensor labels)
    {
        using var noGrad = NoGradScope.Enter();
        using var scope = DisposeScope.Enter();
        var predicted = model.Forward(points).ArgMax(1);
        return predicted.Eq(labels).To(DType.Float32).Mean().Item();
    }

    [Fact]
    public void A_small_mlp_trained_200_steps_with_Adam_classifies_quadrants_above_95_percent()
    {
        Torch.ManualSeed(2024);
        var (trainPoints, trainLabels) = Quadrants(1024);
        var (testPoints, testLabels) = Quadrants(1024);
        using (trainPoints) using (trainLabels) using (testPoints) using (testLabels)
        using (var model = new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 4)))
        using (var optimizer = new Adam(model.Parameters(), learningRate: 0.02))
        {
            var before = Accuracy(model, testPoints, testLabels);
            double firstLoss = 0, lastLoss = 0;
            for (var step = 0; step < 200; step++)
            {
                using var scope = DisposeScope.Enter();
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(model.Forward(trainPoints), trainLabels);
                loss.Backward();
                optimizer.Step();
                if (step == 0) firstLoss = loss.Item();
                lastLoss = loss.Item();
            }

            var after = Accuracy(model, testPoints, testLabels);
            Assert.True(lastLoss < firstLoss / 4, $"loss went from {firstLoss} to {lastLoss}");
            Assert.True(after > 0.95, $"test accuracy {after:P1} (before training {before:P1})");
        }
    }
}
