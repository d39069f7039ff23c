using System.Globalization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using TorchSharp;

namespace FedDistill.Distillation.Tests.Memory;

/// <summary>
/// Long training runs do not leak: every tensor a step makes is released (by the step's dispose
/// scope or by the code that made it), so native memory stays flat however many steps run.
/// </summary>
/// <remarks>
/// In the <see cref="TorchGlobalState"/> collection, which xunit runs alone after the parallel
/// collections, so no other test's allocations show in this process's resident memory. No timing
/// is asserted.
/// </remarks>
[Collection(TorchGlobalState.Name)]
public sealed class TrainingMemoryTests
{
    private const int Steps = 5000;
    private const int WarmupSteps = 500;
    private const int BatchSize = 64;
    private const int Examples = 10 * BatchSize;
    private const int Features = 784;
    private const int Classes = 10;
    private const long AllowedGrowthBytes = 50L * 1024 * 1024;

    /// <summary>
    /// 5,000 Trainer steps (Mlp 784-64-10, cross entropy, Adam with a cosine schedule, batches of
    /// 64 from random data): between step 500 (after warm-up: the optimizer's state exists and the
    /// allocators have their pools) and step 5,000, the process's resident memory after a full GC
    /// grows by less than 50 MB (a leak of one 64×784 float batch a step would be 1 GB), and the
    /// number of live tensors on the training thread does not grow at all.
    /// </summary>
    [Fact]
    public void Five_thousand_trainer_steps_keep_resident_memory_and_live_tensors_flat_after_warm_up()
    {
        var data = RandomData(seed: 17);
        torch.manual_seed(17);
        using var model = new Mlp(Features, [64], Classes);
        var options = new TrainerOptions(Epochs: Steps / (Examples / BatchSize), BatchSize: BatchSize, LearningRate: 1e-3,
            Optimizer: "adam", Schedule: "cosine", Seed: 17, MaxSteps: Steps, Device: "cpu");
        var probe = new MemoryProbe(WarmupSteps);
        // One intra-op thread: on two cores shared with other work, libtorch's waiting workers made
        // each step about ten times slower (28 ms instead of 3 ms); what a step allocates is the same.
        var threads = torch.get_num_threads();
        torch.set_num_threads(1);
        TrainingSummary summary;
        try
        {
            summary = new Trainer(options).Train(model, data, null, new CrossEntropyLoss(), probe);
        }
        finally
        {
            torch.set_num_threads(threads);
        }

        Assert.Equal(Steps, summary.Steps);
        Assert.Equal(Steps, probe.Reports);
        Assert.True(double.IsFinite(summary.FinalLoss), $"the final loss is {summary.FinalLoss}");
        var (warmResident, warmTensors) = probe.AtWarmup ?? throw new InvalidOperationException("no report at the warm-up step");
        var (endResident, endTensors) = probe.AtEnd ?? throw new InvalidOperationException("no report at the last step");
        var growth = endResident - warmResident;
        Assert.True(growth < AllowedGrowthBytes, string.Create(CultureInfo.InvariantCulture,
            $"resident memory grew by {growth / 1048576.0:F1} MB from step {WarmupSteps} ({warmResident / 1048576.0:F1} MB) to step {Steps} ({endResident / 1048576.0:F1} MB)"));
        Assert.True(endTensors <= warmTensors, $"live tensors on the training thread: {warmTensors} at step {WarmupSteps}, {endTensors} at step {Steps}");
    }

    /// <summary>Examples with uniform random features in [0, 1) and random labels: enough to exercise the steps.</summary>
    private static Dataset RandomData(int seed)
    {
        var random = new Random(seed);
        var features = new float[Examples * Features];
        for (var i = 0; i < features.Length; i++) features[i] = random.NextSingle();
        var labels = Enumerable.Range(0, Examples).Select(_ => random.Next(Classes)).ToArray();
        return new Dataset(features, [Features], labels, Classes);
    }

    /// <summary>The process's resident set size in bytes, from /proc/self/statm (Environment.WorkingSet elsewhere).</summary>
    private static long ResidentBytes()
    {
        if (!File.Exists("/proc/self/statm")) return Environment.WorkingSet;
        var fields = File.ReadAllText("/proc/self/statm").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    /// <summary>
    /// Receives the Trainer's report after every step, synchronously on the training thread, and
    /// measures at the warm-up step and at the last step (after a full, finalizing GC, so managed
    /// garbage and tensors left to finalizers do not count).
    /// </summary>
    private sealed class MemoryProbe(int warmupStep) : IProgress<TrainingProgress>
    {
        public int Reports { get; private set; }

        public (long Resident, long LiveTensors)? AtWarmup { get; private set; }

        public (long Resident, long LiveTensors)? AtEnd { get; private set; }

        public void Report(TrainingProgress value)
        {
            Reports++;
            if (Reports == warmupStep) AtWarmup = Measure();
            if (Reports == Steps) AtEnd = Measure();
        }

        private static (long, long) Measure()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return (ResidentBytes(), DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
    }
}
