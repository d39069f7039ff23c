using FedDistill.Grains.Federation;
using FedDistill.Distillation.Federated;
using FedDistill.Distillation.Models;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>How an aggregator runs its federation; bound from <c>FedDistill:Aggregator</c>.</summary>
public sealed class AggregatorOptions
{
    /// <summary>The federation's name.</summary>
    public string FederationName { get; set; } = "feddistill";

    /// <summary>The shared public set.</summary>
    public PublicSetSpec PublicSet { get; set; } = new();

    /// <summary>Fashion-MNIST directory, or null for the Debian package's location.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// How many of the public set's first images the aggregator knows the labels of (0 to the
    /// public set's size): it measures each teacher on them for <c>accuracy-weighted</c> ensembles
    /// and for the round's report.
    /// </summary>
    public int ValidationExamples { get; set; } = 1_000;

    /// <summary>Images of the Fashion-MNIST test set the student is evaluated on after each round (0: none).</summary>
    public int EvaluationExamples { get; set; } = 10_000;

    /// <summary>The global student's architecture.</summary>
    public ModelSpec Student { get; set; } = new() { Kind = "small-cnn" };

    /// <summary>Student mini-batch size.</summary>
    public int StudentBatchSize { get; set; } = 128;

    /// <summary>Largest upload body accepted, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>libtorch intra-op threads for student training.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Where the student is distilled: <c>auto</c> (the first GPU when libtorch sees one, else the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = FedDistill.Distillation.Compute.ComputeDevice.Auto;

    /// <summary>
    /// The federation's CA certificate (PEM, <c>ca.crt</c> of the kit): secure-summation rounds
    /// check every organization's keys against it. Null: secure rounds are refused.
    /// </summary>
    public string? CaCertificate { get; set; }

    /// <summary>Seed of student initialization and batch order.</summary>
    public ulong Seed { get; set; } = 7;

    /// <summary>
    /// The federation's differential-privacy budget: when <see cref="PrivacyOptions.Epsilon"/> is
    /// set, only <c>pate-gnmax</c> rounds run, and a round whose worst case would take the total
    /// past the budget is refused before it opens.
    /// </summary>
    public PrivacyOptions Privacy { get; set; } = new();

    /// <summary>Every problem with these options, each naming <c>AggregatorOptions.Property</c>; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(FederationName)) errors.Add("AggregatorOptions.FederationName must not be empty.");
        if (PublicSet is null) errors.Add("AggregatorOptions.PublicSet must be set.");
        else errors.AddRange(PublicSet.ToDefinition().Validate().Select(error => "AggregatorOptions." + error));
        if (PublicSet is not null && (ValidationExamples < 0 || ValidationExamples > PublicSet.Count))
            errors.Add($"AggregatorOptions.ValidationExamples is {ValidationExamples}; it must be in [0, {PublicSet.Count}] (the public set's size).");
        if (EvaluationExamples is < 0 or > 10_000) errors.Add($"AggregatorOptions.EvaluationExamples is {EvaluationExamples}; it must be in [0, 10000].");
        if (Student is null) errors.Add("AggregatorOptions.Student must be set.");
        else errors.AddRange(ModelFactory.Validate(Student, [1, 28, 28]).Select(error => "AggregatorOptions.Student: " + error));
        if (StudentBatchSize < 1) errors.Add($"AggregatorOptions.StudentBatchSize is {StudentBatchSize}; it must be at least 1.");
        if (MaxUploadBytes < 1024) errors.Add($"AggregatorOptions.MaxUploadBytes is {MaxUploadBytes}; it must be at least 1024.");
        if (Threads is < 1 or > 256) errors.Add($"AggregatorOptions.Threads is {Threads}; it must be in [1, 256].");
        if (FedDistill.Distillation.Compute.ComputeDevice.Validate(Device) is { } device) errors.Add($"AggregatorOptions.Device is {device}.");
        if (Privacy is null) errors.Add("AggregatorOptions.Privacy must be set (leave its Epsilon empty for no budget).");
        else errors.AddRange(Privacy.Validate());
        if (CaCertificate is not null && !File.Exists(CaCertificate)) errors.Add($"AggregatorOptions.CaCertificate '{CaCertificate}' does not exist.");
        return errors;
    }
}
