using TorchSharp;

namespace FedDistill.Distillation.Models;

/// <summary>
/// A model that can expose named intermediate features next to its logits, for feature-level
/// distillation losses (hints, attention transfer, relational KD).
/// </summary>
public interface IFeatureModel
{
    /// <summary>The names <see cref="ForwardWithFeatures"/> returns, in network order.</summary>
    IReadOnlyList<string> FeatureNames { get; }

    /// <summary>
    /// Runs forward once and returns the logits with every named feature. The tensors are part of
    /// the autograd graph and owned by the current dispose scope.
    /// </summary>
    FeatureOutput ForwardWithFeatures(torch.Tensor input);
}
