using System.Diagnostics;
using FedDistill.Torch.Nn;
using FedDistill.Torch.Optimizers;
using FedDistill.Torch.Tests.Runtime;
using Xunit.Abstractions;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Memory;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class TrainingLoopMemoryTests(ITestOutputHelper output)
{
    private const int WarmUpSteps = 200;
    private const int TotalSteps = 2200;
    private const long AllowedGrowthBytes = 64L << 20;

    /// <summary>VmRSS of this process from /proc/self/status, in bytes.</summary>
    private static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(text => text.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }

    [Fact]
    public void Two_thousand_training_steps_in_dispose_scopes_keep_resident_memory_flat()
    {
        // Each step makes ~20 tensors, the largest 64×256 floats (64 KiB): a leak of the step's
        // tensors would add well over 64 MiB across 2,000 steps.
        Torch.ManualSeed(11);
        using var model = new Sequential(new Linear(128, 256), new ReLU(), new Linear(256, 10));
        using var optimizer = new Adam(model.Parameters(), learningRate: 1e-3);
        long afterWarmUp = 0;
        var clock = Stopwatch.StartNew();
        for (var step = 0; step < TotalSteps; step++)
        {
            using (var scope = DisposeScope.Enter())
            {
                var inputs = Tensor.Randn([64, 128]);
                var labels = Tensor.RandInt(0, 10, [64]);
                optimizer.ZeroGrad();
                var loss = F.CrossEntropy(model.Forward(inputs), labels);
                loss.Backward();
                optimizer.Step();
                if (step % 500 == 0) Assert.True(double.IsFinite(loss.Item()));
            }
            if (step == WarmUpSteps - 1) afterWarmUp = ResidentBytes();
        }
        var atEnd = ResidentBytes();
        var growth = atEnd - afterWarmUp;
        output.WriteLine($"VmRSS after {WarmUpSteps} warm-up steps: {afterWarmUp / 1048576.0:F1} MiB");
        output.WriteLine($"VmRSS after {TotalSteps} steps: {atEnd / 1048576.0:F1} MiB (growth {growth / 1048576.0:F1} MiB, {clock.Elapsed.TotalSeconds:F1} s)");
        Assert.True(growth < AllowedGrowthBytes, $"resident memory grew by {growth / 1048576.0:F1} MiB over {TotalSteps - WarmUpSteps} steps");
    }
}
