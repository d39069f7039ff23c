using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Serving.Tests.Onnx;

/// <summary>
/// Measures the input range of every Conv2d and Linear layer on calibration data, by a manual
/// forward pass that mirrors each zoo model (the models call their children's forward directly,
/// so module hooks would not fire).
/// </summary>
internal static class CalibrationPass
{
    public static QuantizationCalibration Measure(nn.Module<Tensor, Tensor> model, Tensor inputs)
    {
        var modules = model.named_modules().ToDictionary(entry => entry.name, entry => entry.module);
        var ranges = new Dictionary<string, ActivationRange>();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        model.eval();

        Tensor Layer(string name, Tensor x)
        {
            ranges[name] = new ActivationRange(x.min().item<float>(), x.max().item<float>());
            return ((nn.Module<Tensor, Tensor>)modules[name]).forward(x);
        }
        Tensor Norm(string name, Tensor x) => ((nn.Module<Tensor, Tensor>)modules[name]).forward(x);
        Tensor ConvBlock(string name, Tensor x) => nn.functional.max_pool2d(nn.functional.relu(Layer(name, x)), 2);

        switch (model)
        {
            case Mlp:
                var x = inputs;
                foreach (var (name, child) in modules.Where(entry => entry.Key.StartsWith("layers.", StringComparison.Ordinal)))
                    x = child is Linear ? Layer(name, x) : ((nn.Module<Tensor, Tensor>)child).forward(x);
                break;
            case SmallCnn:
                Layer("fc2", nn.functional.relu(Layer("fc1", ConvBlock("conv2", ConvBlock("conv1", inputs)).flatten(1))));
                break;
            case LeNet5:
                var hidden = nn.functional.relu(Layer("fc1", ConvBlock("conv2", ConvBlock("conv1", inputs)).flatten(1)));
                Layer("fc3", nn.functional.relu(Layer("fc2", hidden)));
                break;
            case ResNetCifar resNet:
                var y = nn.functional.relu(Norm("bn1", Layer("conv1", inputs)));
                for (var stage = 1; stage <= 3; stage++)
                {
                    for (var block = 0; block < resNet.BlocksPerStage; block++)
                    {
                        var prefix = $"layer{stage}.{block}";
                        var residual = nn.functional.relu(Norm($"{prefix}.bn1", Layer($"{prefix}.conv1", y)));
                        residual = Norm($"{prefix}.bn2", Layer($"{prefix}.conv2", residual));
                        var shortcut = modules.ContainsKey($"{prefix}.shortcut.0") ? Norm($"{prefix}.shortcut.1", Layer($"{prefix}.shortcut.0", y)) : y;
                        y = nn.functional.relu(residual + shortcut);
                    }
                }
                Layer("fc", nn.functional.adaptive_avg_pool2d(y, [1, 1]).flatten(1));
                break;
            default:
                throw new NotSupportedException(model.GetType().Name);
        }
        return new QuantizationCalibration(ranges);
    }
}
