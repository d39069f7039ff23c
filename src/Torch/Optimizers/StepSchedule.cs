namespace FedDistill.Torch.Optimizers;

/// <summary>Multiplies the base rate by <c>gamma</c> every <c>stepSize</c> steps (torch.optim.lr_scheduler.StepLR).</summary>
public sealed class StepSchedule : LearningRateSchedule
{
    private readonly double _baseRate;
    private readonly long _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the schedule.</summary>
    public StepSchedule(double baseRate, long stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gamma);
        (_baseRate, _stepSize, _gamma) = (baseRate, stepSize, gamma);
    }

    /// <inheritdoc />
    public override double LearningRateAt(long step) => _baseRate * Math.Pow(_gamma, Math.Max(0, step) / _stepSize);
}
