namespace FedDistill.Torch.Nn;

/// <summary>A 2-D convolution with square kernels, initialized as PyTorch's nn.Conv2d.</summary>
public sealed class Conv2d : Module
{
    private readonly (long, long) _stride;
    private readonly (long, long) _padding;

    /// <summary>Creates a convolution from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>.</summary>
    public Conv2d(long inputChannels, long outputChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        _stride = (stride, stride);
        _padding = (padding, padding);
        var bound = 1.0 / Math.Sqrt(inputChannels * kernelSize * kernelSize);
        RegisterParameter("weight", Tensor.Uniform([outputChannels, inputChannels, kernelSize, kernelSize], -bound, bound));
        if (bias) RegisterParameter("bias", Tensor.Uniform([outputChannels], -bound, bound));
    }

    /// <summary>Channels expected in the input.</summary>
    public long InputChannels { get; }

    /// <summary>Channels produced.</summary>
    public long OutputChannels { get; }

    /// <summary>The [out, in, k, k] kernel.</summary>
    public Tensor Weight => Parameter("weight");

    /// <summary>The bias, or null.</summary>
    public Tensor? Bias => OptionalParameter("bias");

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, _stride, _padding);
}
