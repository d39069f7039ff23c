using FedDistill.Distillation.Models;

namespace FedDistill.Grains.Clients;

/// <summary>One private teacher of an organization: its model and how it first trains.</summary>
public sealed class TeacherOptions
{
    /// <summary>Id within the organization: <c>[A-Za-z0-9][A-Za-z0-9._-]{0,63}</c>.</summary>
    public string Id { get; set; } = "teacher-1";

    /// <summary>The architecture used when <see cref="Model"/> is not configured: a small CNN twice as wide as the default student.</summary>
    public static ModelSpec DefaultModel { get; } = new() { Kind = "small-cnn", Channels = [32, 64, 256], Dropout = 0.25 };

    /// <summary>
    /// Its architecture, or null for <see cref="DefaultModel"/>. Null rather than a prefilled default so
    /// that configuration binding does not merge a configured model with the default's fields.
    /// </summary>
    public ModelSpec? Model { get; set; }

    /// <summary>The architecture in effect.</summary>
    public ModelSpec EffectiveModel => Model ?? DefaultModel;

    /// <summary>Epochs of the initial training on private data.</summary>
    public int Epochs { get; set; } = 4;

    /// <summary>Peak learning rate of the initial training (AdamW, cosine).</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Label smoothing of the cross entropy on private data, in [0, 1).</summary>
    public double LabelSmoothing { get; set; } = 0.05;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Flipped and shifted copies of each private image to train on (0 to 9); they never leave the organization.</summary>
    public int AugmentedCopies { get; set; } = 1;
}
