using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>The compressed student <see cref="StudentPruner"/> returns, with its report.</summary>
/// <param name="Model">
/// The compressed model, in evaluation mode after fine-tuning. When <paramref name="IsNewModel"/>
/// is false it is the model passed in, pruned in place; when true (structured pruning) it is a new,
/// smaller model owned by the caller, and the original is left as it was (and still the caller's).
/// </param>
/// <param name="Report">Sizes and sparsity before and after, per layer and overall.</param>
/// <param name="IsNewModel">True when <paramref name="Model"/> is a new object the caller must dispose.</param>
public sealed record PrunedStudent(nn.Module<Tensor, Tensor> Model, PruningReport Report, bool IsNewModel);
