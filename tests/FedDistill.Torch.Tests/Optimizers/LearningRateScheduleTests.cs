using FedDistill.Torch.Optimizers;
using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests.Optimizers;

public sealed class LearningRateScheduleTests
{
    [Fact]
    public void StepSchedule_matches_pytorchs_StepLR_for_ten_steps()
    {
        var reference = ReferenceData.Case("schedules").Child("step_lr");
        var schedule = new StepSchedule(reference.Number("base"), reference.Integer("step_size"), reference.Number("gamma"));
        var expected = reference.Numbers("rates");
        TensorAssert.Close(expected, Enumerable.Range(0, expected.Length).Select(step => schedule.LearningRateAt(step)).ToArray(), 1e-12);
    }

    [Fact]
    public void CosineSchedule_without_warmup_matches_pytorchs_CosineAnnealingLR_for_ten_steps()
    {
        var reference = ReferenceData.Case("schedules").Child("cosine_annealing_lr");
        var schedule = new CosineSchedule(reference.Number("base"), reference.Integer("t_max"), reference.Number("eta_min"), warmupSteps: 0);
        var expected = reference.Numbers("rates");
        TensorAssert.Close(expected, Enumerable.Range(0, expected.Length).Select(step => schedule.LearningRateAt(step)).ToArray(), 1e-12);
    }

    [Fact]
    public void CosineSchedule_warms_up_linearly_then_reaches_the_minimum_and_stays_there()
    {
        var schedule = new CosineSchedule(baseRate: 1.0, totalSteps: 12, minimumRate: 0.1, warmupSteps: 4);
        Assert.Equal(0.25, schedule.LearningRateAt(0), 12);
        Assert.Equal(1.0, schedule.LearningRateAt(3), 12);
        Assert.Equal(1.0, schedule.LearningRateAt(4), 12);          // the cosine starts at the base rate
        Assert.Equal(0.55, schedule.LearningRateAt(8), 12);         // half way: (1 + 0.1) / 2
        Assert.Equal(0.1, schedule.LearningRateAt(12), 12);
        Assert.Equal(0.1, schedule.LearningRateAt(100), 12);
    }

    [Fact]
    public void Apply_sets_the_optimizers_rate_for_the_step()
    {
        using var w = Tensor.Zeros([1]);
        w.RequiresGrad = true;
        using var optimizer = new Sgd([w], learningRate: 0.1);
        var schedule = new StepSchedule(0.1, stepSize: 2, gamma: 0.5);
        Assert.Equal(0.05, schedule.Apply(optimizer, 2), 12);
        Assert.Equal(0.05, optimizer.LearningRate, 12);
    }
}
