namespace FedDistill.Torch.Nn;

/// <summary>
/// The basic block of ResNet (He et al. 2016): conv3×3-BN-ReLU-conv3×3-BN plus a shortcut, then
/// ReLU. The shortcut is a 1×1 convolution with batch norm when the stride or width changes.
/// </summary>
public sealed class ResidualBlock : Module
{
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _norm1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _norm2;
    private readonly Sequential? _shortcut;

    /// <summary>Creates a block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>.</summary>
    public ResidualBlock(long inputChannels, long outputChannels, long stride = 1)
    {
        _conv1 = RegisterModule("conv1", new Conv2d(inputChannels, outputChannels, 3, stride, 1, bias: false));
        _norm1 = RegisterModule("bn1", new BatchNorm2d(outputChannels));
        _conv2 = RegisterModule("conv2", new Conv2d(outputChannels, outputChannels, 3, 1, 1, bias: false));
        _norm2 = RegisterModule("bn2", new BatchNorm2d(outputChannels));
        if (stride != 1 || inputChannels != outputChannels)
        {
            _shortcut = RegisterModule("shortcut", new Sequential(
                new Conv2d(inputChannels, outputChannels, 1, stride, 0, bias: false),
                new BatchNorm2d(outputChannels)));
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        using var a = _conv1.Forward(input);
        using var b = _norm1.Forward(a);
        using var c = Functional.Relu(b);
        using var d = _conv2.Forward(c);
        using var e = _norm2.Forward(d);
        using var shortcut = _shortcut?.Forward(input);
        using var sum = e.Add(shortcut ?? input);
        return scope.MoveToOuter(Functional.Relu(sum));
    }
}
