using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class ImageAugmentationTests
{
    // One 1×3×3 image with distinct values; the minimum (0) is the background.
    private static Dataset Image() => new([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3], [4], 5);

    [Fact]
    public void Expanding_keeps_the_originals_first_and_adds_copies_with_their_labels()
    {
        var expanded = ImageAugmentation.Expand(Image(), copies: 3, maxShift: 1, seed: 1);
        Assert.Equal(4, expanded.Count);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, expanded.GetFeatures(0).ToArray());
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(4, expanded.GetLabel(i)));
    }

    [Fact]
    public void Every_copy_is_the_image_mirrored_or_shifted_with_background_fill()
    {
        var expanded = ImageAugmentation.Expand(Image(), copies: 50, maxShift: 1, seed: 2);
        var seen = new HashSet<string>();
        for (var i = 1; i < expanded.Count; i++)
        {
            var copy = expanded.GetFeatures(i).ToArray();
            Assert.True(IsShiftedOrMirroredShift(copy), string.Join(",", copy));
            seen.Add(string.Join(",", copy));
        }
        Assert.True(seen.Count > 5, "50 copies should cover several of the 18 flip/shift combinations");
    }

    [Fact]
    public void The_same_seed_gives_the_same_copies()
    {
        var first = ImageAugmentation.Expand(Image(), 5, 1, 9);
        var second = ImageAugmentation.Expand(Image(), 5, 1, 9);
        Assert.Equal(DatasetFingerprint.Compute(first), DatasetFingerprint.Compute(second));
    }

    [Fact]
    public void Non_image_examples_are_rejected_with_their_shape()
    {
        var table = new Dataset(new float[6], [3], null, 2);
        var error = Assert.Throws<ArgumentException>(() => ImageAugmentation.Expand(table, 1, 1, 0));
        Assert.Contains("[3]", error.Message);
    }

    private static bool IsShiftedOrMirroredShift(float[] copy)
    {
        foreach (var flip in new[] { false, true })
        for (var dy = -1; dy <= 1; dy++)
        for (var dx = -1; dx <= 1; dx++)
        {
            var matches = true;
            for (var y = 0; y < 3 && matches; y++)
            for (var x = 0; x < 3 && matches; x++)
            {
                int sy = y - dy, sx = flip ? 2 - (x - dx) : x - dx;
                var expected = sy is >= 0 and < 3 && sx is >= 0 and < 3 ? sy * 3 + sx : 0;
                matches = copy[y * 3 + x] == expected;
            }
            if (matches) return true;
        }
        return false;
    }
}
