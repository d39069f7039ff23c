using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class DatasetTests
{
    // Three examples of shape [2, 2] whose values encode (example, position) as example * 10 + position.
    private static Dataset ThreeExamples(bool labeled = true) => new(
        [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23],
        [2, 2],
        labeled ? [2, 0, 1] : null,
        classCount: 3,
        classNames: ["a", "b", "c"]);

    [Fact]
    public void Count_and_feature_length_follow_from_the_shape()
    {
        Dataset dataset = ThreeExamples();

        Assert.Equal(3, dataset.Count);
        Assert.Equal(4, dataset.FeatureLength);
        Assert.Equal([2, 2], dataset.ExampleShape);
        Assert.Equal(3, dataset.ClassCount);
        Assert.True(dataset.HasLabels);
        Assert.Equal([2, 0, 1], dataset.Labels);
        Assert.Equal(["a", "b", "c"], dataset.ClassNames);
    }

    [Fact]
    public void GetFeatures_returns_the_row_major_slice_of_one_example()
    {
        Dataset dataset = ThreeExamples();

        Assert.Equal([10f, 11f, 12f, 13f], dataset.GetFeatures(1).ToArray());
        Assert.Equal(1, dataset.GetLabel(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetFeatures(3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => dataset.GetFeatures(-1).ToArray());
    }

    [Fact]
    public void Subset_copies_the_chosen_examples_in_the_given_order_with_repeats()
    {
        Dataset subset = ThreeExamples().Subset([2, 0, 2]);

        Assert.Equal(3, subset.Count);
        Assert.Equal([20f, 21f, 22f, 23f, 0f, 1f, 2f, 3f, 20f, 21f, 22f, 23f], subset.Features.ToArray());
        Assert.Equal([1, 2, 1], subset.Labels);
        Assert.Equal([2, 2], subset.ExampleShape);
        Assert.Equal(["a", "b", "c"], subset.ClassNames);
    }

    [Fact]
    public void Subset_of_no_indices_is_an_empty_dataset_of_the_same_shape()
    {
        Dataset empty = ThreeExamples().Subset([]);

        Assert.Equal(0, empty.Count);
        Assert.Equal(4, empty.FeatureLength);
        Assert.Empty(empty.Labels!);
    }

    [Fact]
    public void Subset_rejects_an_index_out_of_range()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ThreeExamples().Subset([0, 3]));
        Assert.Contains("3", error.Message);
    }

    [Fact]
    public void CopyBatch_fills_features_and_labels_in_index_order()
    {
        Dataset dataset = ThreeExamples();
        var features = new float[8];
        var labels = new long[2];

        dataset.CopyBatch([1, 0], features, labels);

        Assert.Equal([10f, 11f, 12f, 13f, 0f, 1f, 2f, 3f], features);
        Assert.Equal([0L, 2L], labels);
    }

    [Fact]
    public void CopyBatch_with_an_empty_label_buffer_copies_features_only()
    {
        var features = new float[4];

        ThreeExamples(labeled: false).CopyBatch([2], features, Span<long>.Empty);

        Assert.Equal([20f, 21f, 22f, 23f], features);
    }

    [Fact]
    public void CopyBatch_rejects_buffers_of_the_wrong_size_and_labels_from_an_unlabeled_set()
    {
        Dataset dataset = ThreeExamples();
        var wrongFeatures = Assert.Throws<ArgumentException>(() => dataset.CopyBatch([0, 1], new float[7], new long[2]));
        Assert.Contains("8", wrongFeatures.Message);
        Assert.Throws<ArgumentException>(() => dataset.CopyBatch([0, 1], new float[8], new long[3]));
        var unlabeled = Assert.Throws<ArgumentException>(
            () => ThreeExamples(labeled: false).CopyBatch([0], new float[4], new long[1]));
        Assert.Contains("no labels", unlabeled.Message);
    }

    [Fact]
    public void WithoutLabels_keeps_features_and_classes_and_drops_labels()
    {
        Dataset unlabeled = ThreeExamples().WithoutLabels();

        Assert.False(unlabeled.HasLabels);
        Assert.Null(unlabeled.Labels);
        Assert.Equal(3, unlabeled.ClassCount);
        Assert.Equal(ThreeExamples().Features.ToArray(), unlabeled.Features.ToArray());
        Assert.Throws<InvalidOperationException>(() => unlabeled.GetLabel(0));
    }

    [Fact]
    public void Constructor_rejects_inconsistent_inputs_with_messages_that_say_why()
    {
        Assert.Contains("not a multiple",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[10], [2, 2], null, 2)).Message);
        Assert.Contains("2 labels for 3 examples",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[12], [2, 2], [0, 1], 2)).Message);
        Assert.Contains("Label 5 of example 1",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [4], [0, 5], 2)).Message);
        Assert.Contains("positive",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [0, 4], null, 2)).Message);
        Assert.Contains("at least one dimension",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [], null, 2)).Message);
        Assert.Contains("3 class names for 2 classes",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [4], null, 2, ["x", "y", "z"])).Message);
        Assert.Contains("at least 1",
            Assert.Throws<ArgumentException>(() => new Dataset(new float[8], [4], null, 0)).Message);
    }
}
