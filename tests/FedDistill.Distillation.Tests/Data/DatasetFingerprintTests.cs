using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

// Golden hashes from golden_values.py (Python hashlib + struct over the documented encoding).
public sealed class DatasetFingerprintTests
{
    private static readonly float[] TinyFeatures = [0.0f, 0.25f, 0.5f, 1.0f, -1.5f, 2.0f, 3.25f, 1e-3f, 0.1f, 0.2f, 0.3f, 0.4f];

    private static Dataset Tiny(float[]? features = null, int[]? labels = null) =>
        new(features ?? TinyFeatures, [2, 2], labels ?? [2, 0, 1], 3);

    [Fact]
    public void Fingerprint_of_a_tiny_labeled_dataset_matches_the_golden_hash()
    {
        Assert.Equal("fe9740f2b7b9560604d8005cc4a8b0a55929d3ff20baa02a3e4dff5f38f85c66", DatasetFingerprint.Compute(Tiny()));
    }

    [Fact]
    public void Fingerprint_of_the_unlabeled_dataset_matches_its_own_golden_hash()
    {
        Assert.Equal("d3c2524e4af810bc6ff6957e547843feb9b439d55f44311b281ea2ae70f723c5", DatasetFingerprint.Compute(Tiny().WithoutLabels()));
    }

    [Fact]
    public void Fingerprint_of_an_empty_dataset_matches_the_golden_hash()
    {
        Assert.Equal(
            "87a747521af172392d11ffd57bc07a61c6166e9b623e298502971bc552dd601e",
            DatasetFingerprint.Compute(new Dataset([], [4], [], 2)));
    }

    [Fact]
    public void Changing_one_pixel_changes_the_fingerprint()
    {
        float[] changed = (float[])TinyFeatures.Clone();
        changed[7] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(changed[7]) + 1);

        Assert.NotEqual(DatasetFingerprint.Compute(Tiny()), DatasetFingerprint.Compute(Tiny(changed)));
    }

    [Fact]
    public void Changing_one_label_changes_the_fingerprint()
    {
        Assert.NotEqual(DatasetFingerprint.Compute(Tiny()), DatasetFingerprint.Compute(Tiny(labels: [2, 0, 2])));
    }

    [Fact]
    public void The_shape_and_class_count_are_part_of_the_fingerprint()
    {
        string original = DatasetFingerprint.Compute(Tiny());

        Assert.NotEqual(original, DatasetFingerprint.Compute(new Dataset(TinyFeatures, [4], [2, 0, 1], 3)));
        Assert.NotEqual(original, DatasetFingerprint.Compute(new Dataset(TinyFeatures, [2, 2], [2, 0, 1], 4)));
    }

    [Fact]
    public void Class_names_do_not_change_the_fingerprint()
    {
        var named = new Dataset(TinyFeatures, [2, 2], [2, 0, 1], 3, ["x", "y", "z"]);

        Assert.Equal(DatasetFingerprint.Compute(Tiny()), DatasetFingerprint.Compute(named));
    }

    [Fact]
    public void Fingerprint_spanning_many_hash_chunks_is_stable_and_sensitive_to_the_last_value()
    {
        // 3 MiB of features crosses the 1 MiB chunk boundary several times.
        float[] features = Enumerable.Range(0, 786_432).Select(i => i * 1e-3f).ToArray();
        string first = DatasetFingerprint.Compute(new Dataset(features, [768], null, 10));
        string again = DatasetFingerprint.Compute(new Dataset((float[])features.Clone(), [768], null, 10));
        features[^1] += 1;
        string changed = DatasetFingerprint.Compute(new Dataset(features, [768], null, 10));

        Assert.Equal(first, again);
        Assert.NotEqual(first, changed);
        Assert.Matches("^[0-9a-f]{64}$", first);
    }
}
