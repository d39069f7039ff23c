using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;

namespace FedDistill.Distillation.Training;

/// <summary>
/// A resumable training checkpoint: the model's state dict as a safetensors file at the given
/// path (readable by PyTorch's <c>safetensors.torch.load_file</c>), and the progress in a small
/// JSON file beside it (<c>PATH.progress.json</c>).
/// </summary>
/// <remarks>
/// The weights are written first and the progress second, each through a temporary file renamed
/// into place, so a crash leaves either the previous checkpoint or weights one epoch ahead of
/// their progress file, from which a resumed run repeats at most that epoch.
/// </remarks>
public static class TrainingCheckpoint
{
    /// <summary>The progress file that belongs to the checkpoint at <paramref name="path"/>.</summary>
    public static string ProgressPath(string path) => path + ".progress.json";

    /// <summary>Writes the checkpoint for <paramref name="model"/> after <paramref name="epochsCompleted"/> epochs.</summary>
    public static void Save(string path, torch.nn.Module model, int epochsCompleted, long stepsCompleted, double? bestValidationAccuracy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        var weights = path + ".tmp";
        using (var stream = File.Create(weights)) model.save_safetensors(stream);
        File.Move(weights, path, overwrite: true);
        var progress = ProgressPath(path) + ".tmp";
        File.WriteAllText(progress, JsonSerializer.Serialize(new Progress(epochsCompleted, stepsCompleted, bestValidationAccuracy)));
        File.Move(progress, ProgressPath(path), overwrite: true);
    }

    /// <summary>
    /// Loads the checkpoint at <paramref name="path"/> into <paramref name="model"/> and returns the
    /// progress it records, or null when there is no checkpoint yet.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but is not a FedDistill checkpoint for this model.</exception>
    public static (int EpochsCompleted, long StepsCompleted, double? BestValidationAccuracy)? TryLoad(string path, torch.nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) return null;
        var progressPath = ProgressPath(path);
        Progress? progress;
        try
        {
            progress = File.Exists(progressPath) ? JsonSerializer.Deserialize<Progress>(File.ReadAllText(progressPath)) : null;
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"'{progressPath}' is not a FedDistill checkpoint progress file: {error.Message}", error);
        }
        if (progress is null || progress.EpochsCompleted < 0 || progress.StepsCompleted < 0)
            throw new InvalidDataException($"'{path}' has no valid progress file '{progressPath}', so it is not a FedDistill training checkpoint.");
        try
        {
            using var stream = File.OpenRead(path);
            model.load_safetensors(stream);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' does not hold this model's weights: {error.Message}", error);
        }
        return (progress.EpochsCompleted, progress.StepsCompleted, progress.BestValidationAccuracy);
    }

    private sealed record Progress(int EpochsCompleted, long StepsCompleted, double? BestValidationAccuracy);
}
