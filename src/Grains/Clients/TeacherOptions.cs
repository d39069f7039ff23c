using FedDistill.Distillation.Models;

namespace FedDistill.Grains.Clients;

/// <summary>One private teacher of an organization: its model and how it first trains.</summary>
public sealed class TeacherOptions
{
    /// <summary>Id within the organization: <c>[A-Za-z0-9][A-Za-z0-9._-]{0,63}</c>.</summary>
    public string Id { get; set; } = "teacher-1";

    /// <summary>
    /// Its architecture. A small-cnn that leaves <see cref="ModelSpec.Channels"/> unset gets
    /// <see cref="DefaultSmallCnnChannels"/> (see <see cref="ResolvedModel"/>): the default is not
    /// preset here because the configuration binder cannot unset a property, so a preset list
    /// would stick (and be appended to) when configuration names another kind, such as <c>mlp</c>.
    /// </summary>
    public ModelSpec Model { get; set; } = new() { Kind = "small-cnn", Dropout = 0.25 };

    /// <summary>Channels of a small-cnn teacher whose <see cref="Model"/> leaves them unset: 32, 64, then a hidden width of 256.</summary>
    public static IReadOnlyList<int> DefaultSmallCnnChannels { get; } = [32, 64, 256];

    /// <summary><see cref="Model"/> with the teacher's defaults applied; what the teacher is built from.</summary>
    public ModelSpec ResolvedModel =>
        Model is { Channels: null } && string.Equals(Model.Kind, "small-cnn", StringComparison.OrdinalIgnoreCase) ? Model with { Channels = DefaultSmallCnnChannels } : Model;

    /// <summary>Epochs of the initial training on private data.</summary>
    public int Epochs { get; set; } = 4;

    /// <summary>Peak learning rate of the initial training (AdamW, cosine).</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Flipped and shifted copies of each private image to train on (0 to 9); they never leave the organization.</summary>
    public int AugmentedCopies { get; set; } = 1;
}
