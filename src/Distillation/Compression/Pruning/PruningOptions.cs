using FedDistill.Distillation.Compute;

namespace FedDistill.Distillation.Compression.Pruning;

/// <summary>How <see cref="StudentPruner"/> compresses a student and fine-tunes it afterwards. Validated by <see cref="Validate"/>.</summary>
/// <param name="Kind">
/// <c>unstructured-global</c> (one magnitude threshold over all Conv2d and Linear weights),
/// <c>unstructured-layer</c> (the same sparsity in every such layer) or <c>structured</c> (whole
/// channels and hidden units removed by L1 norm, giving a smaller model; Mlp, SmallCnn and LeNet5
/// only). See <see cref="Kinds"/>.
/// </param>
/// <param name="TargetSparsity">
/// In [0, 1). Unstructured: the share of prunable weights (Conv2d and Linear weights, not biases
/// or batch norm) set to zero. Structured: the share of channels or units removed from each
/// pruned layer (each keeps at least one).
/// </param>
/// <param name="FineTuneEpochs">Epochs of distillation fine-tuning after pruning, at least 0; 0 prunes only.</param>
/// <param name="LearningRate">Adam learning rate for fine-tuning (positive); the trainer's usual 1e-3 by default, lower for a gentler fine-tune of a well-trained student.</param>
/// <param name="Temperature">Softening temperature T of the knowledge distillation loss (positive).</param>
/// <param name="Alpha">Weight of the soft (teacher) term when the fine-tuning data has labels, in [0, 1]; without labels only the soft term is used.</param>
/// <param name="BatchSize">Examples per fine-tuning step, at least 1.</param>
/// <param name="Seed">Seeds fine-tuning's batch order and libtorch's generator.</param>
/// <param name="Device">Where to fine-tune: <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; the model is moved there.</param>
public sealed record PruningOptions(
    string Kind = PruningOptions.UnstructuredGlobal,
    double TargetSparsity = 0.5,
    int FineTuneEpochs = 3,
    double LearningRate = 1e-3,
    double Temperature = 4.0,
    double Alpha = 0.9,
    int BatchSize = 64,
    ulong Seed = 0,
    string Device = ComputeDevice.Auto)
{
    /// <summary>Kind name: unstructured magnitude pruning with one threshold over the whole model.</summary>
    public const string UnstructuredGlobal = "unstructured-global";

    /// <summary>Kind name: unstructured magnitude pruning to the target sparsity in each layer.</summary>
    public const string UnstructuredPerLayer = "unstructured-layer";

    /// <summary>Kind name: structured pruning of channels and hidden units by L1 norm.</summary>
    public const string Structured = "structured";

    /// <summary>The kind names <see cref="Kind"/> accepts.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [UnstructuredGlobal, UnstructuredPerLayer, Structured];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first impossible setting; returns the options otherwise.</summary>
    public PruningOptions Validate()
    {
        Require(Kinds.Contains(Kind), nameof(Kind), $"'{Kind}'", $"one of {string.Join(", ", Kinds)}");
        Require(TargetSparsity >= 0 && TargetSparsity < 1, nameof(TargetSparsity), TargetSparsity, "in [0, 1)");
        Require(FineTuneEpochs >= 0, nameof(FineTuneEpochs), FineTuneEpochs, "at least 0");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a positive finite number");
        Require(Temperature > 0 && double.IsFinite(Temperature), nameof(Temperature), Temperature, "a positive finite number");
        Require(Alpha >= 0 && Alpha <= 1, nameof(Alpha), Alpha, "in [0, 1]");
        Require(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        if (ComputeDevice.Validate(Device) is { } problem) throw new ArgumentException($"PruningOptions.Device is {problem}.", nameof(Device));
        return this;
    }

    private static void Require(bool condition, string name, object? value, string allowed)
    {
        if (!condition) throw new ArgumentException($"PruningOptions.{name} is {value}; it must be {allowed}.", name);
    }
}
