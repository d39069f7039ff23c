using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>What <see cref="StudentPruner"/> did, measured on the final (pruned and fine-tuned) model.</summary>
/// <param name="Kind">The pruning kind (<see cref="PruningOptions.Kinds"/>).</param>
/// <param name="TargetSparsity">The requested <see cref="PruningOptions.TargetSparsity"/>.</param>
/// <param name="ParametersBefore">Parameter elements of the original model (weights, biases, batch norm).</param>
/// <param name="ParametersAfter">Parameter elements of the result: as before for unstructured pruning, fewer for structured.</param>
/// <param name="NonzeroParametersBefore">Parameter elements of the original model that were not zero.</param>
/// <param name="NonzeroParametersAfter">Parameter elements of the result that are not zero.</param>
/// <param name="Layers">Every Conv2d and Linear layer, in network order.</param>
/// <param name="FineTuning">The fine-tuning run, or null when <see cref="PruningOptions.FineTuneEpochs"/> was 0.</param>
public sealed record PruningReport(
    string Kind,
    double TargetSparsity,
    long ParametersBefore,
    long ParametersAfter,
    long NonzeroParametersBefore,
    long NonzeroParametersAfter,
    IReadOnlyList<PrunedLayer> Layers,
    TrainingSummary? FineTuning)
{
    /// <summary>
    /// 1 − <see cref="NonzeroParametersAfter"/> / <see cref="ParametersBefore"/>: the share of all
    /// the original parameters (biases and batch norm included) that are removed or zero.
    /// </summary>
    public double Sparsity => ParametersBefore == 0 ? 0 : 1 - (double)NonzeroParametersAfter / ParametersBefore;

    /// <summary>
    /// The same over the prunable weights only (Conv2d and Linear weights): for unstructured
    /// pruning this is the sparsity reached against <see cref="TargetSparsity"/>.
    /// </summary>
    public double PrunableWeightSparsity
    {
        get
        {
            var before = Layers.Sum(layer => layer.WeightsBefore);
            return before == 0 ? 0 : 1 - (double)Layers.Sum(layer => layer.NonzeroWeights) / before;
        }
    }
}
