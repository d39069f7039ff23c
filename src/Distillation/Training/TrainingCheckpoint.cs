using System.Globalization;
using FedDistill.Torch;
using FedDistill.Torch.Nn;
using FedDistill.Torch.Serialization;

namespace FedDistill.Distillation.Training;

/// <summary>
/// A trainer checkpoint: the model's state dict in a safetensors file whose metadata records the
/// epochs and steps completed, so an interrupted run resumes after the last finished epoch.
/// </summary>
/// <remarks>
/// The optimizer's moments are not saved (libtorch's optimizer state is not exposed through the
/// shim): a resumed Adam restarts its moment estimates, which costs a few steps of warm-up, while
/// the learning-rate schedule resumes at the exact step.
/// </remarks>
public static class TrainingCheckpoint
{
    private const string EpochKey = "feddistill.epochs_completed";
    private const string StepKey = "feddistill.steps_completed";
    private const string BestKey = "feddistill.best_validation_accuracy";

    /// <summary>Writes the checkpoint atomically.</summary>
    public static void Save(string path, Module model, int epochsCompleted, long stepsCompleted, double? bestValidationAccuracy)
    {
        var metadata = new Dictionary<string, string>
        {
            [EpochKey] = epochsCompleted.ToString(CultureInfo.InvariantCulture),
            [StepKey] = stepsCompleted.ToString(CultureInfo.InvariantCulture),
        };
        if (bestValidationAccuracy is { } best) metadata[BestKey] = best.ToString("R", CultureInfo.InvariantCulture);
        model.SaveStateDict(path, metadata);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> when the file
    /// exists and returns its progress; returns null (and changes nothing) when there is none.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The file exists but is not a valid checkpoint.</exception>
    public static (int EpochsCompleted, long StepsCompleted, double? BestValidationAccuracy)? TryLoad(string path, Module model)
    {
        if (!File.Exists(path)) return null;
        var document = SafetensorsReader.ReadFile(path);
        if (!document.Metadata.TryGetValue(EpochKey, out var epochs) || !document.Metadata.TryGetValue(StepKey, out var steps) ||
            !int.TryParse(epochs, NumberStyles.None, CultureInfo.InvariantCulture, out var epochCount) ||
            !long.TryParse(steps, NumberStyles.None, CultureInfo.InvariantCulture, out var stepCount))
        {
            throw new SafetensorsFormatException($"'{path}' is a safetensors file but not a FedDistill training checkpoint (no {EpochKey}/{StepKey} metadata).");
        }
        double? best = document.Metadata.TryGetValue(BestKey, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;
        var tensors = document.Entries.ToDictionary(entry => entry.Name, entry => TensorSafetensors.ToTensor(entry).DetachFromDisposeScope());
        try
        {
            model.LoadStateDict(tensors);
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
        return (epochCount, stepCount, best);
    }
}
