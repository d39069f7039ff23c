using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class PartitionerTests
{
    // 10 balanced classes of 300 examples, labels interleaved as in a real dataset.
    private static readonly int[] BalancedLabels = Enumerable.Range(0, 3000).Select(i => i * 7 % 10).ToArray();

    public static TheoryData<string> Names => new() { "iid", "dirichlet", "shards" };

    private static IDatasetPartitioner Create(string name) =>
        PartitionerFactory.Create(name, new PartitionerOptions { DirichletAlpha = 0.3, MinPartSize = 5, ShardsPerPart = 2 });

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_index_lands_in_exactly_one_part(string name)
    {
        IReadOnlyList<int[]> parts = Create(name).Partition(BalancedLabels, 10, 12, new DeterministicRandom(1));

        Assert.Equal(12, parts.Count);
        Assert.Equal(Enumerable.Range(0, BalancedLabels.Length), parts.SelectMany(part => part).Order());
        Assert.All(parts, part => Assert.Equal(part.Order(), part));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void The_same_generator_state_gives_the_same_partition(string name)
    {
        IReadOnlyList<int[]> first = Create(name).Partition(BalancedLabels, 10, 8, new DeterministicRandom(77));
        IReadOnlyList<int[]> second = Create(name).Partition(BalancedLabels, 10, 8, new DeterministicRandom(77));
        IReadOnlyList<int[]> other = Create(name).Partition(BalancedLabels, 10, 8, new DeterministicRandom(78));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Iid_parts_differ_in_size_by_at_most_one()
    {
        IReadOnlyList<int[]> parts = new IidPartitioner().Partition(BalancedLabels, 10, 7, new DeterministicRandom(2));

        Assert.Equal([429, 429, 429, 429, 428, 428, 428], parts.Select(part => part.Length));
    }

    [Fact]
    public void Iid_parts_see_roughly_the_global_label_mix()
    {
        IReadOnlyList<int[]> parts = new IidPartitioner().Partition(BalancedLabels, 10, 5, new DeterministicRandom(3));

        Assert.True(MeanLargestClassShare(parts) < 0.15);
    }

    [Fact]
    public void Dirichlet_partition_with_small_alpha_skews_labels_far_more_than_with_large_alpha()
    {
        var random = new DeterministicRandom(4);
        double skewed = MeanLargestClassShare(new DirichletLabelSkewPartitioner(0.1).Partition(BalancedLabels, 10, 10, random));
        double nearlyIid = MeanLargestClassShare(new DirichletLabelSkewPartitioner(100).Partition(BalancedLabels, 10, 10, random));

        // IID gives about 0.1 (a tenth of each part is its largest class); α = 0.1 gives most parts one dominant class.
        Assert.True(skewed > 0.5, $"α=0.1 mean largest-class share {skewed:F3}");
        Assert.True(nearlyIid < 0.15, $"α=100 mean largest-class share {nearlyIid:F3}");
    }

    [Fact]
    public void Dirichlet_partition_gives_every_part_at_least_the_minimum_size()
    {
        var partitioner = new DirichletLabelSkewPartitioner(0.1, minPartSize: 50);

        IReadOnlyList<int[]> parts = partitioner.Partition(BalancedLabels, 10, 20, new DeterministicRandom(5));

        Assert.All(parts, part => Assert.True(part.Length >= 50, $"a part has {part.Length} examples"));
    }

    [Fact]
    public void Dirichlet_partition_gives_up_with_a_clear_message_when_the_minimum_is_out_of_reach()
    {
        // Ten parts of at least 10 out of 100 examples means exactly equal parts, which α = 0.01 all but never draws.
        var partitioner = new DirichletLabelSkewPartitioner(0.01, minPartSize: 10, maxAttempts: 50);

        var error = Assert.Throws<InvalidOperationException>(
            () => partitioner.Partition(BalancedLabels[..100], 10, 10, new DeterministicRandom(6)));

        Assert.Contains("fewer than 10 examples in all 50 attempts", error.Message);
    }

    [Fact]
    public void Dirichlet_partition_rejects_a_minimum_that_no_split_can_meet()
    {
        var error = Assert.Throws<ArgumentException>(
            () => new DirichletLabelSkewPartitioner(1, minPartSize: 11).Partition(BalancedLabels[..100], 10, 10, new DeterministicRandom(6)));

        Assert.Contains("need 110", error.Message);
    }

    [Fact]
    public void Shard_parts_hold_at_most_two_classes_per_shard()
    {
        IReadOnlyList<int[]> parts = new ShardPartitioner(2).Partition(BalancedLabels, 10, 20, new DeterministicRandom(7));

        Assert.All(parts, part => Assert.InRange(part.Select(i => BalancedLabels[i]).Distinct().Count(), 1, 4));
        Assert.All(parts, part => Assert.Equal(150, part.Length));
    }

    [Fact]
    public void One_shard_per_part_of_one_class_size_gives_single_class_parts()
    {
        IReadOnlyList<int[]> parts = new ShardPartitioner(1).Partition(BalancedLabels, 10, 10, new DeterministicRandom(8));

        Assert.All(parts, part => Assert.Single(part.Select(i => BalancedLabels[i]).Distinct()));
    }

    [Fact]
    public void Partitioners_reject_more_parts_than_examples_and_labels_out_of_range()
    {
        var tooMany = Assert.Throws<ArgumentException>(() => new IidPartitioner().Partition([0, 1], 2, 3, new DeterministicRandom(1)));
        Assert.Contains("2 examples into 3", tooMany.Message);
        var outOfRange = Assert.Throws<ArgumentException>(() => new IidPartitioner().Partition([0, 2], 2, 1, new DeterministicRandom(1)));
        Assert.Contains("Label 2 of example 1", outOfRange.Message);
        var tooFewForShards = Assert.Throws<ArgumentException>(() => new ShardPartitioner(3).Partition([0, 1, 0, 1, 0], 2, 2, new DeterministicRandom(1)));
        Assert.Contains("at least 6 examples", tooFewForShards.Message);
    }

    [Fact]
    public void Factory_creates_each_partitioner_by_name_ignoring_case()
    {
        Assert.IsType<IidPartitioner>(PartitionerFactory.Create("iid"));
        var dirichlet = Assert.IsType<DirichletLabelSkewPartitioner>(
            PartitionerFactory.Create(" Dirichlet ", new PartitionerOptions { DirichletAlpha = 0.25, MinPartSize = 3 }));
        Assert.Equal(0.25, dirichlet.Alpha);
        Assert.Equal(3, dirichlet.MinPartSize);
        var shards = Assert.IsType<ShardPartitioner>(PartitionerFactory.Create(new PartitionerOptions { Name = "SHARDS", ShardsPerPart = 5 }));
        Assert.Equal(5, shards.ShardsPerPart);
    }

    [Fact]
    public void Factory_rejects_an_unknown_name_listing_the_allowed_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => PartitionerFactory.Create("pathological"));

        Assert.Contains("'pathological'", error.Message);
        Assert.Contains("iid, dirichlet, shards", error.Message);
    }

    [Fact]
    public void Factory_rejects_invalid_settings_naming_the_property()
    {
        var error = Assert.Throws<ArgumentException>(
            () => PartitionerFactory.Create("dirichlet", new PartitionerOptions { DirichletAlpha = -1, ShardsPerPart = 0 }));

        Assert.Contains("PartitionerOptions.DirichletAlpha", error.Message);
        Assert.Contains("PartitionerOptions.ShardsPerPart", error.Message);
    }

    private static double MeanLargestClassShare(IReadOnlyList<int[]> parts) =>
        parts.Where(part => part.Length > 0)
            .Select(part => part.GroupBy(i => BalancedLabels[i]).Max(g => g.Count()) / (double)part.Length)
            .Average();
}
