namespace FedDistill.Distillation.Training.Schedules;

/// <summary>
/// Linear warm-up to the base rate, then cosine annealing to <c>minimumRate</c> at
/// <c>totalSteps</c> (torch.optim.lr_scheduler.CosineAnnealingLR after a warm-up). Past the end
/// the rate stays at the minimum.
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    private readonly double _baseRate;
    private readonly long _totalSteps;
    private readonly double _minimumRate;
    private readonly long _warmupSteps;

    /// <summary>Creates the schedule.</summary>
    public CosineSchedule(double baseRate, long totalSteps, double minimumRate = 0, long warmupSteps = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumRate, baseRate);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmupSteps, totalSteps);
        (_baseRate, _totalSteps, _minimumRate, _warmupSteps) = (baseRate, totalSteps, minimumRate, warmupSteps);
    }

    /// <inheritdoc />
    public override double LearningRateAt(long step)
    {
        if (step < _warmupSteps) return _baseRate * (step + 1) / _warmupSteps;
        var progress = Math.Min(1.0, (double)(step - _warmupSteps) / (_totalSteps - _warmupSteps));
        return _minimumRate + (_baseRate - _minimumRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
