using FedDistill.Distillation.Data;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Training;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>
/// Compresses a trained student by pruning, then recovers its accuracy by distillation: the
/// pruned student is fine-tuned against the teachers' (or the ensemble's) logits with the
/// knowledge distillation loss, through the ordinary <see cref="Trainer"/>. The one entry point
/// the console's <c>compress</c> command and other callers need.
/// </summary>
/// <remarks>
/// Unstructured kinds keep masks during fine-tuning (re-applied after every optimizer step), so
/// the pruned weights are still zero in the result. Structured pruning fine-tunes the smaller
/// dense model; it supports Mlp, SmallCnn and LeNet5 (not ResNet, see <see cref="ChannelPruning"/>).
/// </remarks>
public static class StudentPruner
{
    /// <summary>Prunes <paramref name="model"/> as <paramref name="options"/> say, fine-tunes it, and reports what changed.</summary>
    /// <param name="model">The trained student; pruned in place by the unstructured kinds, left untouched by structured pruning.</param>
    /// <param name="options">What to do; validated here.</param>
    /// <param name="fineTuneData">The examples to fine-tune on (usually the public set; labels are optional); required when <see cref="PruningOptions.FineTuneEpochs"/> is positive.</param>
    /// <param name="teacherLogits">[N, C] teacher or ensemble logits aligned with <paramref name="fineTuneData"/>; required when fine-tuning; not disposed.</param>
    /// <param name="progress">Receives the trainer's report after each fine-tuning step; may be null.</param>
    /// <param name="cancellationToken">Stops fine-tuning between steps.</param>
    /// <returns>The compressed model (see <see cref="PrunedStudent.IsNewModel"/> for who owns it) and its report.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the message names it), fine-tuning lacks data or logits, the model has no Conv2d or Linear layer, or structured pruning was asked of a model it does not support.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; a new model made by structured pruning is disposed, an in-place pruned model keeps its pruning.</exception>
    public static PrunedStudent Prune(nn.Module<Tensor, Tensor> model, PruningOptions options, Dataset? fineTuneData = null, Tensor? teacherLogits = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.FineTuneEpochs > 0 && fineTuneData is null)
            throw new ArgumentException($"PruningOptions.FineTuneEpochs is {options.FineTuneEpochs} but no fine-tuning data was given; pass it or set FineTuneEpochs to 0.", nameof(fineTuneData));
        if (options.FineTuneEpochs > 0 && teacherLogits is null)
            throw new ArgumentException($"PruningOptions.FineTuneEpochs is {options.FineTuneEpochs} but no teacher logits were given; distillation fine-tuning needs them, or set FineTuneEpochs to 0.", nameof(teacherLogits));
        if (options.Kind == PruningOptions.Structured && !ChannelPruning.Supports(model))
            throw new ArgumentException(
                $"PruningOptions.Kind is '{PruningOptions.Structured}', which supports Mlp, SmallCnn and LeNet5, not {model.GetType().Name}; " +
                $"use '{PruningOptions.UnstructuredGlobal}' or '{PruningOptions.UnstructuredPerLayer}'.", nameof(options));
        cancellationToken.ThrowIfCancellationRequested();

        var layersBefore = PruningMasks.RequireLayers(model)
            .Select(layer => (layer.Name, Shape: PrunableLayers.Weight(layer.Module).shape)).ToArray();
        var (parametersBefore, nonzeroBefore) = PrunableLayers.CountParameters(model);

        PruningMasks? masks = null;
        var result = model;
        try
        {
            switch (options.Kind)
            {
                case PruningOptions.UnstructuredGlobal:
                    masks = MagnitudePruning.Global(model, options.TargetSparsity);
                    break;
                case PruningOptions.UnstructuredPerLayer:
                    masks = MagnitudePruning.PerLayer(model, options.TargetSparsity);
                    break;
                case PruningOptions.Structured:
                    result = ChannelPruning.Prune(model, options.TargetSparsity).Model;
                    break;
                default:
                    throw new InvalidOperationException($"Kind '{options.Kind}' passed validation but has no pruning.");
            }

            TrainingSummary? fineTuning = null;
            if (options.FineTuneEpochs > 0)
            {
                var trainer = new Trainer(new TrainerOptions(Epochs: options.FineTuneEpochs, BatchSize: options.BatchSize,
                    LearningRate: options.LearningRate, Seed: options.Seed, Device: options.Device));
                fineTuning = trainer.Train(result, fineTuneData!, teacherLogits, new KnowledgeDistillationLoss(options.Temperature, options.Alpha),
                    progress, cancellationToken, afterOptimizerStep: masks is null ? null : masks.Apply);
            }

            var layersAfter = PrunableLayers.Find(result).ToDictionary(layer => layer.Name, layer => PrunableLayers.Weight(layer.Module), StringComparer.Ordinal);
            var layers = layersBefore.Select(before =>
            {
                var weight = layersAfter[before.Name];
                return new PrunedLayer(before.Name, before.Shape, weight.shape, PrunableLayers.CountNonzero(weight));
            }).ToArray();
            var (parametersAfter, nonzeroAfter) = PrunableLayers.CountParameters(result);
            var report = new PruningReport(options.Kind, options.TargetSparsity, parametersBefore, parametersAfter, nonzeroBefore, nonzeroAfter, layers, fineTuning);
            return new PrunedStudent(result, report, !ReferenceEquals(result, model));
        }
        catch
        {
            if (!ReferenceEquals(result, model)) result.Dispose();
            throw;
        }
        finally
        {
            masks?.Dispose();
        }
    }
}
