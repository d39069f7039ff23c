using FedDistill.Distillation.Compute;

namespace FedDistill.Distillation.Training;

/// <summary>How a <see cref="Trainer"/> optimizes a model. Validated by <see cref="Validate"/>.</summary>
/// <param name="Epochs">Passes over the data (at least 1).</param>
/// <param name="BatchSize">Examples per step (at least 1).</param>
/// <param name="LearningRate">Peak learning rate (positive).</param>
/// <param name="Optimizer">"adam", "adamw" or "sgd".</param>
/// <param name="WeightDecay">L2 (adam, sgd) or decoupled (adamw) weight decay, at least 0.</param>
/// <param name="Momentum">SGD momentum in [0, 1); SGD uses Nesterov momentum when positive.</param>
/// <param name="Schedule">"constant" (the default: Adam at a constant rate is the recipe that holds up across budgets), "cosine" (annealed to zero over all steps) or "step" (×0.1 at 50% and 75% of the steps).</param>
/// <param name="WarmupSteps">Steps of linear warm-up before a cosine schedule.</param>
/// <param name="Seed">Seeds libtorch's generator and the batch order; the same seed gives the same run.</param>
/// <param name="MaxSteps">A step budget: training stops after this many optimizer steps even mid-epoch (null: no budget).</param>
/// <param name="EarlyStoppingPatience">With validation data, stop after this many epochs without a better validation accuracy and restore the best weights (0: off).</param>
/// <param name="CheckpointPath">A checkpoint written after every epoch (weights as safetensors plus a progress file beside it, see <see cref="TrainingCheckpoint"/>), from which a later run resumes.</param>
/// <param name="Device">Where to train: <c>auto</c> (CUDA when available, else the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</param>
public sealed record TrainerOptions(
    int Epochs = 5,
    int BatchSize = 128,
    double LearningRate = 1e-3,
    string Optimizer = "adam",
    double WeightDecay = 0.0,
    double Momentum = 0.9,
    string Schedule = "constant",
    int WarmupSteps = 0,
    ulong Seed = 0,
    long? MaxSteps = null,
    int EarlyStoppingPatience = 0,
    string? CheckpointPath = null,
    string Device = ComputeDevice.Auto)
{
    /// <summary>The optimizer names this trainer knows.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["adam", "adamw", "sgd"];

    /// <summary>The schedule names this trainer knows.</summary>
    public static IReadOnlyList<string> Schedules { get; } = ["constant", "cosine", "step"];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first impossible setting.</summary>
    public TrainerOptions Validate()
    {
        Require(Epochs >= 1, nameof(Epochs), Epochs, "at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive finite number");
        Require(Optimizers.Contains(Optimizer), nameof(Optimizer), Optimizer, $"one of {string.Join(", ", Optimizers)}");
        Require(WeightDecay >= 0 && double.IsFinite(WeightDecay), nameof(WeightDecay), WeightDecay, "a finite number >= 0");
        Require(Momentum >= 0 && Momentum < 1, nameof(Momentum), Momentum, "in [0, 1)");
        Require(Schedules.Contains(Schedule), nameof(Schedule), Schedule, $"one of {string.Join(", ", Schedules)}");
        Require(WarmupSteps >= 0, nameof(WarmupSteps), WarmupSteps, "at least 0");
        Require(MaxSteps is null or >= 1, nameof(MaxSteps), MaxSteps ?? 0, "at least 1 when set");
        Require(EarlyStoppingPatience >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience, "at least 0");
        Require(CheckpointPath is null || CheckpointPath.Trim().Length > 0, nameof(CheckpointPath), CheckpointPath ?? "", "a file path when set");
        if (ComputeDevice.Validate(Device) is { } problem) throw new ArgumentException($"TrainerOptions.Device is {problem}.", nameof(Device));
        return this;
    }

    private static void Require(bool condition, string name, object value, string allowed)
    {
        if (!condition) throw new ArgumentException($"TrainerOptions.{name} is {value}; it must be {allowed}.", name);
    }
}
