using TorchSharp;

namespace FedDistill.Distillation.Models;

/// <summary>Sizes of TorchSharp modules, as the reports and the console show them.</summary>
public static class ModuleExtensions
{
    /// <summary>The number of parameter elements (trainable weights) of <paramref name="module"/> and its children; buffers are not counted.</summary>
    public static long ParameterCount(this torch.nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().Sum(parameter => parameter.numel());
    }
}
