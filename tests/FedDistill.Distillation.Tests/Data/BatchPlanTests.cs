using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class BatchPlanTests
{
    [Fact]
    public void Epoch_orders_match_the_golden_permutations()
    {
        // From golden_values.py: shuffle of 0..9 by xoshiro256** seeded with DeriveSeed(7, epoch).
        var plan = new BatchPlan(10, 4);

        Assert.Equal([2, 1, 5, 4, 7, 6, 9, 0, 8, 3], plan.Order(seed: 7, epoch: 0));
        Assert.Equal([0, 4, 3, 2, 1, 5, 8, 7, 9, 6], plan.Order(seed: 7, epoch: 1));
    }

    [Fact]
    public void Batches_cut_the_epoch_order_into_consecutive_pieces_keeping_the_short_last_one()
    {
        IReadOnlyList<int[]> batches = new BatchPlan(10, 4).Batches(seed: 7, epoch: 0);

        Assert.Equal(3, batches.Count);
        Assert.Equal([2, 1, 5, 4], batches[0]);
        Assert.Equal([7, 6, 9, 0], batches[1]);
        Assert.Equal([8, 3], batches[2]);
    }

    [Fact]
    public void Drop_last_omits_the_short_final_batch()
    {
        var plan = new BatchPlan(10, 4, dropLast: true);

        Assert.Equal(2, plan.BatchesPerEpoch);
        Assert.All(plan.Batches(7, 0), batch => Assert.Equal(4, batch.Length));
    }

    [Fact]
    public void Every_example_appears_exactly_once_per_epoch()
    {
        var plan = new BatchPlan(1000, 64);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            int[] visited = plan.Batches(99, epoch).SelectMany(batch => batch).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 1000), visited);
        }

        Assert.Equal(16, plan.BatchesPerEpoch);
    }

    [Fact]
    public void The_same_seed_and_epoch_give_the_same_order_and_other_epochs_differ()
    {
        var plan = new BatchPlan(500, 32);

        Assert.Equal(plan.Order(5, 3), new BatchPlan(500, 32).Order(5, 3));
        Assert.NotEqual(plan.Order(5, 3), plan.Order(5, 4));
        Assert.NotEqual(plan.Order(5, 3), plan.Order(6, 3));
    }

    [Fact]
    public void Without_shuffle_batches_follow_the_dataset_order()
    {
        IReadOnlyList<int[]> batches = new BatchPlan(5, 2, shuffle: false).Batches(1, 0);

        Assert.Equal([[0, 1], [2, 3], [4]], batches);
    }

    [Fact]
    public void An_empty_dataset_has_no_batches_and_bad_arguments_are_rejected()
    {
        Assert.Empty(new BatchPlan(0, 8).Batches(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchPlan(10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchPlan(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchPlan(10, 4).Order(1, -1));
    }
}
