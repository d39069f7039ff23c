using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// The moving-average range of one layer's input during quantization-aware training (PyTorch's
/// MovingAverageMinMaxObserver): the first batch sets it, each later batch moves each bound a
/// fraction c of the way to its own minimum or maximum.
/// </summary>
/// <remarks>
/// The bounds are buffers (<c>min</c>, <c>max</c>, NaN until the first batch), so they move with
/// the model between devices, are updated without a host round trip, and are saved and restored
/// with the wrapper's state dict (checkpoints, early stopping's best epoch).
/// </remarks>
internal sealed class MovingAverageRangeObserver : nn.Module
{
    private readonly double _averagingConstant;
    // Named as the buffers, not _min/_max: Module.to() finds a buffer's field by its name to update it.
    private Tensor min;
    private Tensor max;

    public MovingAverageRangeObserver(double averagingConstant, Device device) : base(nameof(MovingAverageRangeObserver))
    {
        _averagingConstant = averagingConstant;
        min = torch.tensor(float.NaN, device: device).DetachFromDisposeScope();
        max = torch.tensor(float.NaN, device: device).DetachFromDisposeScope();
        register_buffer(nameof(min), min);
        register_buffer(nameof(max), max);
    }

    /// <summary>Folds the minimum and maximum of <paramref name="input"/> into the bounds.</summary>
    public void Observe(Tensor input)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (low, high) = input.detach().aminmax();
        Update(min, low);
        Update(max, high);
    }

    /// <summary>The bounds, or null before the first observation.</summary>
    public ActivationRange? Range
    {
        get
        {
            var low = min.item<float>();
            var high = max.item<float>();
            return float.IsNaN(low) || float.IsNaN(high) ? null : new ActivationRange(low, high);
        }
    }

    private void Update(Tensor average, Tensor batch)
    {
        var value = batch.to(average.dtype, average.device);
        average.copy_(torch.where(average.isnan(), value, average + (value - average) * _averagingConstant));
    }
}
