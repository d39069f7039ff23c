using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>A channel-pruned copy of a model and which outputs of each pruned layer it kept.</summary>
/// <param name="Model">The smaller model, of the same class, device and dtype as the original; owned by the caller (the original is untouched and still the caller's too).</param>
/// <param name="KeptOutputs">
/// For each layer whose outputs were pruned (by state dict name, e.g. <c>conv1</c> or
/// <c>layers.1</c>): the original indices of the channels or units kept, ascending. The layer
/// after it keeps the matching input columns.
/// </param>
public sealed record ChannelPruningResult(nn.Module<Tensor, Tensor> Model, IReadOnlyDictionary<string, IReadOnlyList<long>> KeptOutputs);
