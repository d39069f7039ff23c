namespace FedDistill.Torch.Optimizers;

/// <summary>
/// A learning rate as a function of the step (or epoch) count. Call <see cref="Apply"/> with the
/// count before each optimizer step; the schedule itself holds no position, so resuming from a
/// checkpoint needs only the step number.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate to use at <paramref name="step"/> (0-based).</summary>
    public abstract double LearningRateAt(long step);

    /// <summary>Sets <paramref name="optimizer"/>'s rate for <paramref name="step"/> and returns it.</summary>
    public double Apply(Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var rate = LearningRateAt(step);
        if (rate != optimizer.LearningRate) optimizer.LearningRate = rate;
        return rate;
    }
}
