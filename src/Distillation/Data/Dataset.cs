using System.Diagnostics.CodeAnalysis;

namespace FedDistill.Distillation.Data;

/// <summary>
/// An immutable in-memory dataset: <see cref="Count"/> examples, each a float feature vector of
/// the same <see cref="ExampleShape"/>, stored example-major in one contiguous row-major array,
/// with an optional integer class label per example.
/// </summary>
/// <remarks>
/// One contiguous array keeps batch assembly a sequence of block copies and lets the whole set
/// be hashed or handed to native code in one piece. A dataset without labels stands for the
/// unlabeled public set on which teachers produce soft labels; it still carries
/// <see cref="ClassCount"/> because the soft labels have that width.
/// </remarks>
public sealed class Dataset
{
    private readonly float[] features;
    private readonly int[]? labels;
    private readonly int[] exampleShape;

    /// <summary>
    /// Creates a dataset over <paramref name="features"/> and <paramref name="labels"/>.
    /// </summary>
    /// <param name="features">
    /// All examples' features, example-major and row-major within an example; its length must be
    /// a multiple of the product of <paramref name="exampleShape"/>. The dataset takes ownership:
    /// the array is not copied and the caller must not modify it afterwards.
    /// </param>
    /// <param name="exampleShape">
    /// The shape of one example, e.g. <c>[1, 28, 28]</c> for a grey image or <c>[30]</c> for a
    /// table row; at least one dimension, every dimension positive. Copied.
    /// </param>
    /// <param name="labels">
    /// One label in <c>[0, classCount)</c> per example, or <see langword="null"/> for an
    /// unlabeled set. Owned by the dataset like <paramref name="features"/>.
    /// </param>
    /// <param name="classCount">Number of classes (at least 1), labeled or not.</param>
    /// <param name="classNames">
    /// Optional human-readable class names, exactly <paramref name="classCount"/> of them. Copied.
    /// </param>
    /// <exception cref="ArgumentException">The arrays, shape, labels or names are inconsistent.</exception>
    public Dataset(
        float[] features,
        IReadOnlyList<int> exampleShape,
        int[]? labels,
        int classCount,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(exampleShape);
        if (exampleShape.Count == 0)
        {
            throw new ArgumentException("The example shape needs at least one dimension.", nameof(exampleShape));
        }

        long featureLength = 1;
        foreach (int dimension in exampleShape)
        {
            if (dimension <= 0)
            {
                throw new ArgumentException(
                    $"Every dimension of the example shape must be positive; got [{string.Join(", ", exampleShape)}].",
                    nameof(exampleShape));
            }

            featureLength *= dimension;
            if (featureLength > Array.MaxLength)
            {
                throw new ArgumentException(
                    $"The example shape [{string.Join(", ", exampleShape)}] has more elements than an array can hold.",
                    nameof(exampleShape));
            }
        }

        if (features.Length % featureLength != 0)
        {
            throw new ArgumentException(
                $"The feature array holds {features.Length} values, which is not a multiple of the " +
                $"{featureLength} values of one example of shape [{string.Join(", ", exampleShape)}].",
                nameof(features));
        }

        if (classCount < 1)
        {
            throw new ArgumentException($"The class count must be at least 1; got {classCount}.", nameof(classCount));
        }

        int count = (int)(features.Length / featureLength);
        if (labels is not null)
        {
            if (labels.Length != count)
            {
                throw new ArgumentException(
                    $"There are {labels.Length} labels for {count} examples.", nameof(labels));
            }

            for (int i = 0; i < labels.Length; i++)
            {
                if ((uint)labels[i] >= (uint)classCount)
                {
                    throw new ArgumentException(
                        $"Label {labels[i]} of example {i} is outside [0, {classCount}).", nameof(labels));
                }
            }
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException(
                $"There are {classNames.Count} class names for {classCount} classes.", nameof(classNames));
        }

        this.features = features;
        this.labels = labels;
        this.exampleShape = exampleShape.ToArray();
        FeatureLength = (int)featureLength;
        Count = count;
        ClassCount = classCount;
        ExampleShape = Array.AsReadOnly(this.exampleShape);
        Labels = labels is null ? null : Array.AsReadOnly(labels);
        ClassNames = classNames is null ? null : Array.AsReadOnly(classNames.ToArray());
    }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>Number of float values in one example: the product of <see cref="ExampleShape"/>.</summary>
    public int FeatureLength { get; }

    /// <summary>The shape of one example, e.g. <c>[1, 28, 28]</c>.</summary>
    public IReadOnlyList<int> ExampleShape { get; }

    /// <summary>Number of classes; labels, when present, lie in <c>[0, ClassCount)</c>.</summary>
    public int ClassCount { get; }

    /// <summary>Class names indexed by label, or <see langword="null"/> when none were given.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The labels, one per example, or <see langword="null"/> for an unlabeled set.</summary>
    public IReadOnlyList<int>? Labels { get; }

    /// <summary>Whether every example has a label.</summary>
    [MemberNotNullWhen(true, nameof(Labels))]
    public bool HasLabels => labels is not null;

    /// <summary>All features, <see cref="Count"/> × <see cref="FeatureLength"/> values, example-major.</summary>
    public ReadOnlyMemory<float> Features => features;

    /// <summary>The backing feature array, for code in this assembly that must not copy it.</summary>
    internal float[] FeatureArray => features;

    /// <summary>The backing label array, for code in this assembly that must not copy it.</summary>
    internal int[]? LabelArray => labels;

    /// <summary>The features of example <paramref name="index"/>, a view into the dataset.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Count)</c>.</exception>
    public ReadOnlySpan<float> GetFeatures(int index)
    {
        CheckIndex(index, nameof(index));
        return features.AsSpan(index * FeatureLength, FeatureLength);
    }

    /// <summary>The label of example <paramref name="index"/>.</summary>
    /// <exception cref="InvalidOperationException">The dataset is unlabeled.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Count)</c>.</exception>
    public int GetLabel(int index)
    {
        CheckIndex(index, nameof(index));
        if (labels is null)
        {
            throw new InvalidOperationException("This dataset has no labels.");
        }

        return labels[index];
    }

    /// <summary>
    /// A new dataset holding copies of the examples at <paramref name="indices"/>, in that order.
    /// Repeated indices are allowed (bootstrap samples); an empty list gives an empty dataset.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in <c>[0, Count)</c>.</exception>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var subsetFeatures = new float[checked(indices.Length * FeatureLength)];
        int[]? subsetLabels = labels is null ? null : new int[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k];
            CheckIndex(index, nameof(indices));
            features.AsSpan(index * FeatureLength, FeatureLength).CopyTo(subsetFeatures.AsSpan(k * FeatureLength));
            if (subsetLabels is not null)
            {
                subsetLabels[k] = labels![index];
            }
        }

        return new Dataset(subsetFeatures, exampleShape, subsetLabels, ClassCount, ClassNames);
    }

    /// <summary>
    /// The same examples without labels, sharing this dataset's feature array (no copy): how a
    /// labeled split becomes the unlabeled public set.
    /// </summary>
    public Dataset WithoutLabels() => new(features, exampleShape, null, ClassCount, ClassNames);

    /// <summary>
    /// A dataset with the same shape, labels and classes and new feature values, e.g. after
    /// normalization. Shares this dataset's label array.
    /// </summary>
    /// <param name="newFeatures">Exactly <see cref="Count"/> × <see cref="FeatureLength"/> values; ownership passes to the new dataset.</param>
    /// <exception cref="ArgumentException">The length of <paramref name="newFeatures"/> differs.</exception>
    public Dataset WithFeatures(float[] newFeatures)
    {
        ArgumentNullException.ThrowIfNull(newFeatures);
        if (newFeatures.Length != features.Length)
        {
            throw new ArgumentException(
                $"The new features hold {newFeatures.Length} values; this dataset has {features.Length}.",
                nameof(newFeatures));
        }

        return new Dataset(newFeatures, exampleShape, labels, ClassCount, ClassNames);
    }

    /// <summary>
    /// Copies the examples at <paramref name="indices"/> into caller-owned buffers, in order: the
    /// batch assembly step of a training loop.
    /// </summary>
    /// <param name="indices">Example indices, each in <c>[0, Count)</c>.</param>
    /// <param name="features">Exactly <c>indices.Length × FeatureLength</c> values.</param>
    /// <param name="labels">
    /// Either exactly <c>indices.Length</c> values, filled with the labels as 64-bit integers (the
    /// type class-index tensors use), or empty to skip labels. Must be empty for an unlabeled set.
    /// </param>
    /// <exception cref="ArgumentException">A buffer has the wrong length, or labels were asked of an unlabeled set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is not in <c>[0, Count)</c>.</exception>
    public void CopyBatch(ReadOnlySpan<int> indices, Span<float> features, Span<long> labels)
    {
        if (features.Length != (long)indices.Length * FeatureLength)
        {
            throw new ArgumentException(
                $"The feature buffer holds {features.Length} values; {indices.Length} examples of " +
                $"{FeatureLength} values need {(long)indices.Length * FeatureLength}.",
                nameof(features));
        }

        bool copyLabels = labels.Length != 0;
        if (copyLabels)
        {
            if (this.labels is null)
            {
                throw new ArgumentException(
                    "This dataset has no labels; pass an empty label buffer.", nameof(labels));
            }

            if (labels.Length != indices.Length)
            {
                throw new ArgumentException(
                    $"The label buffer holds {labels.Length} values for {indices.Length} examples.",
                    nameof(labels));
            }
        }

        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k];
            CheckIndex(index, nameof(indices));
            this.features.AsSpan(index * FeatureLength, FeatureLength).CopyTo(features.Slice(k * FeatureLength));
            if (copyLabels)
            {
                labels[k] = this.labels![index];
            }
        }
    }

    private void CheckIndex(int index, string parameterName)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(
                parameterName, index, $"Example index {index} is outside [0, {Count}).");
        }
    }
}
