using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// The <c>student</c> section: exactly one of a <see cref="Model"/> built here or a
/// <see cref="TorchScript"/> module made by PyTorch, trained in place and saved as TorchScript
/// (<c>student.pt</c>) that PyTorch's <c>torch.jit.load</c> reads.
/// </summary>
public sealed record StudentConfig
{
    /// <summary>The network to build; exclusive with <see cref="TorchScript"/>.</summary>
    public ModelSpec? Model { get; init; }

    /// <summary>Path of a TorchScript file whose parameters are trained; exclusive with <see cref="Model"/>. The file itself is not modified.</summary>
    public string? TorchScript { get; init; }
}
