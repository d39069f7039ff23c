using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Data;

/// <summary>
/// Turns index batches of a <see cref="Dataset"/> into tensors: the examples are copied straight
/// into the new tensors' CPU storage (no intermediate managed buffer), then moved to the device.
/// </summary>
/// <remarks>Stateless apart from the dataset; one assembler may serve several loops.</remarks>
public sealed class BatchAssembler
{
    private readonly Dataset _dataset;
    private readonly long[] _exampleShape;

    /// <summary>Creates an assembler over <paramref name="dataset"/>.</summary>
    public BatchAssembler(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _dataset = dataset;
        _exampleShape = dataset.ExampleShape.Select(dimension => (long)dimension).ToArray();
    }

    /// <summary>
    /// The features of the examples at <paramref name="indices"/> as a [B, ...example shape]
    /// float32 tensor, and their int64 labels (null for an unlabeled dataset), on
    /// <paramref name="device"/> (the CPU when null). The current dispose scope owns both.
    /// </summary>
    public (Tensor Features, Tensor? Labels) Assemble(ReadOnlySpan<int> indices, Device? device = null)
    {
        var count = indices.Length;
        var shape = new long[_exampleShape.Length + 1];
        shape[0] = count;
        _exampleShape.CopyTo(shape, 1);
        var features = torch.empty(shape, ScalarType.Float32);
        var labels = _dataset.HasLabels ? torch.empty([count], ScalarType.Int64) : null;
        _dataset.CopyBatch(indices, MemoryMarshal.Cast<byte, float>(features.bytes),
            labels is null ? Span<long>.Empty : MemoryMarshal.Cast<byte, long>(labels.bytes));
        if (device is null || device.type == DeviceType.CPU) return (features, labels);
        return (features.to(device), labels?.to(device));
    }
}
