using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// One entry of the <c>teachers</c> array. A teacher is exactly one of: a <see cref="Model"/>
/// trained here on its part of the private pool with <see cref="Trainer"/>; a <see cref="Model"/>
/// whose weights come from a <see cref="Checkpoint"/>; or a <see cref="TorchScript"/> module made
/// by PyTorch, used as it is.
/// </summary>
public sealed record TeacherConfig
{
    /// <summary>A unique, non-empty name; reports and ensemble weights refer to it.</summary>
    public string Id { get; init; } = "";

    /// <summary>The network to build; exclusive with <see cref="TorchScript"/>.</summary>
    public ModelSpec? Model { get; init; }

    /// <summary>Path of a TorchScript file (<c>torch.jit.script(model).save(path)</c>) mapping a batch of examples to [B, C] logits; exclusive with <see cref="Model"/>.</summary>
    public string? TorchScript { get; init; }

    /// <summary>Path of a safetensors state dict for <see cref="Model"/>, loaded instead of training.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>How to train <see cref="Model"/> when there is no checkpoint; the defaults when null. Not allowed otherwise.</summary>
    public TrainerOptions? Trainer { get; init; }

    /// <summary>Whether this teacher is trained here (a model without a checkpoint), and so receives a part of the private pool.</summary>
    public bool NeedsTraining() => Model is not null && TorchScript is null && Checkpoint is null;
}
