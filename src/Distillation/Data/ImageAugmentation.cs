namespace FedDistill.Distillation.Data;

/// <summary>
/// Deterministic image augmentation that enlarges a transfer set: each copy of an image is
/// mirrored left-right with probability ½ and shifted by up to <c>maxShift</c> pixels in each
/// direction, with the uncovered border filled with the image's own minimum (the background).
/// </summary>
/// <remarks>
/// In distillation the augmented copies are part of the public set itself: every teacher labels
/// the same copies (the fingerprint covers them), so no private data is involved. Teachers see
/// more of the input space around each public image and the student gets more soft targets.
/// </remarks>
public static class ImageAugmentation
{
    /// <summary>
    /// The original examples followed by <paramref name="copies"/> augmented copies of each, for
    /// datasets whose example shape is [channels, height, width]. Labels (if any) are carried over.
    /// </summary>
    /// <exception cref="ArgumentException">The examples are not images, or the settings are out of range.</exception>
    public static Dataset Expand(Dataset dataset, int copies, int maxShift, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ExampleShape.Count != 3)
            throw new ArgumentException($"Augmentation needs [channels, height, width] examples; got [{string.Join(", ", dataset.ExampleShape)}].", nameof(dataset));
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        int channels = dataset.ExampleShape[0], height = dataset.ExampleShape[1], width = dataset.ExampleShape[2];
        if (maxShift >= Math.Min(height, width)) throw new ArgumentOutOfRangeException(nameof(maxShift), maxShift, "The shift must be smaller than the image.");

        var length = dataset.FeatureLength;
        var total = checked(dataset.Count * (copies + 1));
        var features = new float[checked((long)total * length)];
        dataset.Features.Span.CopyTo(features);
        var labels = dataset.Labels is null ? null : new int[total];
        var random = new DeterministicRandom(seed);
        for (var copy = 1; copy <= copies; copy++)
        {
            for (var i = 0; i < dataset.Count; i++)
            {
                var target = (copy * dataset.Count) + i;
                var source = dataset.GetFeatures(i);
                var destination = features.AsSpan(target * length, length);
                var flip = random.NextInt(2) == 1;
                var shiftY = random.NextInt(2 * maxShift + 1) - maxShift;
                var shiftX = random.NextInt(2 * maxShift + 1) - maxShift;
                Transform(source, destination, channels, height, width, flip, shiftY, shiftX);
                if (labels is not null) labels[target] = dataset.GetLabel(i);
            }
        }
        if (labels is not null) dataset.Labels!.ToArray().CopyTo(labels, 0);
        return new Dataset(features, dataset.ExampleShape, labels, dataset.ClassCount, dataset.ClassNames);
    }

    private static void Transform(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width, bool flip, int shiftY, int shiftX)
    {
        for (var c = 0; c < channels; c++)
        {
            var plane = source.Slice(c * height * width, height * width);
            var background = float.MaxValue;
            foreach (var value in plane) background = Math.Min(background, value);
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var sourceY = y - shiftY;
                    var sourceX = flip ? width - 1 - (x - shiftX) : x - shiftX;
                    var inside = sourceY >= 0 && sourceY < height && sourceX >= 0 && sourceX < width;
                    destination[(c * height * width) + (y * width) + x] = inside ? plane[(sourceY * width) + sourceX] : background;
                }
            }
        }
    }
}
