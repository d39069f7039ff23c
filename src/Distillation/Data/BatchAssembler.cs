using FedDistill.Torch;

namespace FedDistill.Distillation.Data;

/// <summary>
/// Turns index batches of a <see cref="Dataset"/> into tensors, reusing one host buffer so a
/// training loop allocates no managed memory per batch.
/// </summary>
/// <remarks>Not thread-safe: one assembler per loop.</remarks>
public sealed class BatchAssembler
{
    private readonly Dataset _dataset;
    private float[] _features = [];
    private long[] _labels = [];

    /// <summary>Creates an assembler over <paramref name="dataset"/>.</summary>
    public BatchAssembler(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _dataset = dataset;
    }

    /// <summary>
    /// The features of the examples at <paramref name="indices"/> as a [B, ...example shape]
    /// float32 tensor, and their int64 labels (null for an unlabeled dataset). The caller (or the
    /// current dispose scope) owns both.
    /// </summary>
    public (Tensor Features, Tensor? Labels) Assemble(ReadOnlySpan<int> indices, Device? device = null)
    {
        var count = indices.Length;
        var featureCount = count * _dataset.FeatureLength;
        if (_features.Length < featureCount) _features = new float[featureCount];
        if (_labels.Length < count) _labels = new long[count];
        var labels = _dataset.HasLabels ? _labels.AsSpan(0, count) : Span<long>.Empty;
        _dataset.CopyBatch(indices, _features.AsSpan(0, featureCount), labels);

        Span<long> shape = stackalloc long[_dataset.ExampleShape.Count + 1];
        shape[0] = count;
        for (var i = 0; i < _dataset.ExampleShape.Count; i++) shape[i + 1] = _dataset.ExampleShape[i];
        var features = Tensor.FromSpan<float>(_features.AsSpan(0, featureCount), shape, device);
        var labelTensor = _dataset.HasLabels ? Tensor.FromSpan<long>(labels, [count], device) : null;
        return (features, labelTensor);
    }
}
