using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class DatasetSplitterTests
{
    // Example i has the single feature value i, so each split's features name its examples.
    private static readonly Dataset Numbered = new(
        Enumerable.Range(0, 100).Select(i => (float)i).ToArray(), [1], Enumerable.Range(0, 100).Select(i => i % 4).ToArray(), 4);

    private static int[] Ids(Dataset dataset) => dataset.Features.ToArray().Select(value => (int)value).ToArray();

    [Fact]
    public void Split_by_counts_gives_the_requested_sizes_of_disjoint_examples()
    {
        DataSplit split = DatasetSplitter.Split(Numbered, publicCount: 20, privateCount: 50, testCount: 25, seed: 1);

        Assert.Equal(20, split.PublicSet.Count);
        Assert.Equal(50, split.PrivateSet.Count);
        Assert.Equal(25, split.TestSet.Count);
        int[] all = [.. Ids(split.PublicSet), .. Ids(split.PrivateSet), .. Ids(split.TestSet)];
        Assert.Equal(95, all.Distinct().Count());
    }

    [Fact]
    public void Each_set_keeps_labels_matching_its_examples_in_original_order()
    {
        DataSplit split = DatasetSplitter.Split(Numbered, 30, 30, 30, seed: 2);

        foreach (Dataset set in new[] { split.PublicSet, split.PrivateSet, split.TestSet })
        {
            int[] ids = Ids(set);
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(ids.Select(i => i % 4), set.Labels);
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_does_not()
    {
        DataSplit first = DatasetSplitter.Split(Numbered, 10, 60, 30, seed: 3);
        DataSplit again = DatasetSplitter.Split(Numbered, 10, 60, 30, seed: 3);
        DataSplit other = DatasetSplitter.Split(Numbered, 10, 60, 30, seed: 4);

        Assert.Equal(Ids(first.PublicSet), Ids(again.PublicSet));
        Assert.Equal(Ids(first.TestSet), Ids(again.TestSet));
        Assert.NotEqual(Ids(first.PublicSet), Ids(other.PublicSet));
    }

    [Fact]
    public void Fractions_that_sum_to_one_use_every_example()
    {
        DataSplit split = DatasetSplitter.SplitByFractions(Numbered, 0.155, 0.7, 0.145, seed: 5);

        Assert.Equal(15, split.PublicSet.Count);
        Assert.Equal(14, split.TestSet.Count);
        Assert.Equal(71, split.PrivateSet.Count);
        Assert.Equal(100, new[] { split.PublicSet, split.PrivateSet, split.TestSet }.SelectMany(Ids).Distinct().Count());
    }

    [Fact]
    public void Fractions_below_one_leave_the_rest_out()
    {
        DataSplit split = DatasetSplitter.SplitByFractions(Numbered, 0.1, 0.2, 0.3, seed: 6);

        Assert.Equal([10, 20, 30], new[] { split.PublicSet.Count, split.PrivateSet.Count, split.TestSet.Count });
    }

    [Fact]
    public void Requests_beyond_the_dataset_are_rejected()
    {
        Assert.Contains("needs 101",
            Assert.Throws<ArgumentException>(() => DatasetSplitter.Split(Numbered, 50, 50, 1, seed: 1)).Message);
        Assert.Contains("more than 1",
            Assert.Throws<ArgumentException>(() => DatasetSplitter.SplitByFractions(Numbered, 0.5, 0.5, 0.1, seed: 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplitter.SplitByFractions(Numbered, -0.1, 0.5, 0.1, seed: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplitter.Split(Numbered, -1, 5, 5, seed: 1));
    }
}
