using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Models;

/// <summary>
/// The basic block of the CIFAR ResNet: conv3×3-BN-ReLU-conv3×3-BN plus the shortcut, then ReLU.
/// Where the width or resolution changes the shortcut is a 1×1 convolution with batch norm
/// (option B of He et al.). State dict names: <c>conv1</c>, <c>bn1</c>, <c>conv2</c>, <c>bn2</c>,
/// <c>shortcut.0</c>, <c>shortcut.1</c>.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? shortcut;

    /// <summary>Creates a block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>.</summary>
    /// <param name="inputChannels">Channels in.</param>
    /// <param name="outputChannels">Channels out.</param>
    /// <param name="stride">Stride of the first convolution (2 halves the resolution).</param>
    public ResidualBlock(long inputChannels, long outputChannels, long stride = 1) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(inputChannels, outputChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outputChannels);
        conv2 = nn.Conv2d(outputChannels, outputChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outputChannels);
        if (stride != 1 || inputChannels != outputChannels)
        {
            shortcut = nn.Sequential(
                nn.Conv2d(inputChannels, outputChannels, 1, stride: stride, bias: false),
                nn.BatchNorm2d(outputChannels));
        }
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        // Children run through call(), not forward(), so their forward hooks fire as with PyTorch's
        // self.conv1(x): quantization calibration and quantization-aware training hook Conv2d and Linear.
        var residual = bn2.call(conv2.call(nn.functional.relu(bn1.call(conv1.call(input)))));
        var sum = residual.add_(shortcut is null ? input : shortcut.call(input));
        return nn.functional.relu(sum).MoveToOuterDisposeScope();
    }
}
