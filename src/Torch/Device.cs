using System.Globalization;

namespace FedDistill.Torch;

/// <summary>A device a tensor can live on: <c>cpu</c> or <c>cuda:N</c>.</summary>
/// <param name="Type">CPU or CUDA.</param>
/// <param name="Index">The CUDA device ordinal; 0 for the CPU.</param>
public readonly record struct Device(DeviceType Type, int Index = 0)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The CUDA device with the given ordinal.</summary>
    public static Device Cuda(int index = 0) =>
        index >= 0 ? new(DeviceType.Cuda, index) : throw new ArgumentOutOfRangeException(nameof(index), index, "A CUDA device index is never negative.");

    /// <summary>True when this device exists in this process (always for the CPU).</summary>
    public bool IsAvailable => Type == DeviceType.Cpu || Index < Torch.CudaDeviceCount;

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive).</summary>
    /// <exception cref="FormatException">The text names no device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed == "cpu") return Cpu;
        if (trimmed == "cuda") return Cuda();
        if (trimmed.StartsWith("cuda:", StringComparison.Ordinal) &&
            int.TryParse(trimmed.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return Cuda(index);
        }
        throw new FormatException($"'{text}' is not a device; expected 'cpu', 'cuda' or 'cuda:N'.");
    }

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
