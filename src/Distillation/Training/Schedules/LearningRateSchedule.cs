using TorchSharp;

namespace FedDistill.Distillation.Training.Schedules;

/// <summary>
/// A learning rate as a function of the step (or epoch) count. Call <see cref="Apply"/> with the
/// count before each optimizer step; the schedule itself holds no position, so resuming from a
/// checkpoint needs only the step number.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate to use at <paramref name="step"/> (0-based).</summary>
    public abstract double LearningRateAt(long step);

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate for <paramref name="step"/> and returns it.</summary>
    public double Apply(torch.optim.Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var rate = LearningRateAt(step);
        foreach (var group in optimizer.ParamGroups)
            if (group.LearningRate != rate) group.LearningRate = rate;
        return rate;
    }
}
