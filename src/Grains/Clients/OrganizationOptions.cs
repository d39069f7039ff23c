using FedDistill.Distillation.Models;
using FedDistill.Distillation.Federated;
using FedDistill.Grains.Federation;

namespace FedDistill.Grains.Clients;

/// <summary>
/// An organization's silo: who it is, where its private data is and what its teachers are; bound
/// from <c>FedDistill:Organization</c> on that silo only. Nothing here is ever sent elsewhere.
/// </summary>
public sealed class OrganizationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "FedDistill:Organization";

    /// <summary>The organization's identity: its participant id, its silo's name and the common name of its certificate.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Fashion-MNIST directory, or null for the Debian package's location.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Which examples are this organization's private data.</summary>
    public PrivateDataSpec PrivateData { get; set; } = new();

    /// <summary>The organization's teachers (at least one).</summary>
    public List<TeacherOptions> Teachers { get; set; } = [];

    /// <summary>Images of the Fashion-MNIST test set each teacher is evaluated on locally and reports (0: none).</summary>
    public int EvaluationExamples { get; set; }

    /// <summary>libtorch intra-op threads for the teachers.</summary>
    public int Threads { get; set; } = 1;

    /// <summary>Where the teachers train and infer: <c>auto</c> (the first GPU when libtorch sees one, else the CPU), <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; set; } = FedDistill.Distillation.Compute.ComputeDevice.Auto;

    /// <summary>The federation's CA certificate (PEM, the kit's <c>ca.crt</c>): peers' secure-summation keys must chain to it. Secure rounds need it, <see cref="Certificate"/> and <see cref="Key"/>.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>The organization's federation certificate (PEM, CN = <see cref="Id"/>; the kit's silo certificate): it signs the organization's secure-summation keys.</summary>
    public string? Certificate { get; set; }

    /// <summary>The private key of <see cref="Certificate"/> (PEM).</summary>
    public string? Key { get; set; }

    /// <summary>Seed of the teachers' initialization and batch order.</summary>
    public ulong Seed { get; set; } = 11;

    /// <summary>Every problem with these options, each naming <c>OrganizationOptions.Property</c>; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id) || Id == Placement.SiteNames.Aggregator)
            errors.Add($"OrganizationOptions.Id must be set (the organization's participant id and silo name) and not be '{Placement.SiteNames.Aggregator}'.");
        if (PrivateData is null) errors.Add("OrganizationOptions.PrivateData must be set.");
        else errors.AddRange(PrivateData.Validate().Select(error => "OrganizationOptions." + error));
        if (Teachers is null || Teachers.Count == 0) errors.Add("OrganizationOptions.Teachers must list at least one teacher.");
        else
        {
            for (var i = 0; i < Teachers.Count; i++)
            {
                var teacher = Teachers[i];
                var name = $"OrganizationOptions.Teachers[{i}]";
                if (string.IsNullOrWhiteSpace(teacher.Id)) errors.Add($"{name}.Id must be set.");
                if (teacher.Epochs is < 0 or > 1000) errors.Add($"{name}.Epochs is {teacher.Epochs}; it must be in [0, 1000].");
                if (!(teacher.LearningRate > 0)) errors.Add($"{name}.LearningRate is {teacher.LearningRate}; it must be positive.");
                if (!(teacher.LabelSmoothing >= 0 && teacher.LabelSmoothing < 1)) errors.Add($"{name}.LabelSmoothing is {teacher.LabelSmoothing}; it must lie in [0, 1).");
                if (teacher.BatchSize < 1) errors.Add($"{name}.BatchSize is {teacher.BatchSize}; it must be at least 1.");
                if (teacher.AugmentedCopies is < 0 or > 9) errors.Add($"{name}.AugmentedCopies is {teacher.AugmentedCopies}; it must be in [0, 9].");
                errors.AddRange(ModelFactory.Validate(teacher.EffectiveModel, [1, 28, 28]).Select(error => $"{name}.Model: {error}"));
            }

            if (Teachers.Select(t => t.Id).Distinct(StringComparer.Ordinal).Count() != Teachers.Count) errors.Add("OrganizationOptions.Teachers ids must be unique.");
        }

        if (EvaluationExamples is < 0 or > 10_000) errors.Add($"OrganizationOptions.EvaluationExamples is {EvaluationExamples}; it must be in [0, 10000].");
        if (Threads is < 1 or > 256) errors.Add($"OrganizationOptions.Threads is {Threads}; it must be in [1, 256].");
        if (FedDistill.Distillation.Compute.ComputeDevice.Validate(Device) is { } device) errors.Add($"OrganizationOptions.Device is {device}.");
        string?[] certificates = [CaCertificate, Certificate, Key];
        if (certificates.Any(path => path is not null) && certificates.Any(path => path is null))
            errors.Add("OrganizationOptions.CaCertificate, OrganizationOptions.Certificate and OrganizationOptions.Key are set together or not at all.");
        foreach (var (name, path) in new[] { ("CaCertificate", CaCertificate), ("Certificate", Certificate), ("Key", Key) })
            if (path is not null && !File.Exists(path)) errors.Add($"OrganizationOptions.{name} '{path}' does not exist.");
        return errors;
    }
}
