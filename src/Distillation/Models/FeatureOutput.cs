using TorchSharp;

namespace FedDistill.Distillation.Models;

/// <summary>Logits and named intermediate features of one forward pass.</summary>
/// <param name="Logits">[B, C] class logits.</param>
/// <param name="Features">Feature maps ([B, C, H, W]) or vectors ([B, D]) by name.</param>
public sealed record FeatureOutput(torch.Tensor Logits, IReadOnlyDictionary<string, torch.Tensor> Features);
