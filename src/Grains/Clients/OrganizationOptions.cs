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

    /// <summary>
    /// Teacher partitions k (1 to <see cref="MaxPartitions"/>): with k &gt; 1 the private data is
    /// split into k disjoint, equally sized random parts and the one configured teacher becomes k
    /// teachers, <c>{Id}-1</c> to <c>{Id}-k</c>, each trained only on its own part. PATE's
    /// guarantee (<c>pate-gnmax</c> rounds) needs this: one private record then changes at most
    /// one teacher's vote. With 1, every configured teacher trains on all the private data.
    /// </summary>
    public int Partitions { get; set; } = 1;

    /// <summary>Most teacher partitions: every teacher's logits travel in one upload, which carries at most 32 teachers.</summary>
    public const int MaxPartitions = 32;

    /// <summary>
    /// The teachers in effect: <see cref="Teachers"/> as configured, or with k &gt; 1 partitions the
    /// one configured teacher repeated k times with ids <c>{Id}-1</c> to <c>{Id}-k</c>.
    /// </summary>
    public IReadOnlyList<TeacherOptions> EffectiveTeachers => Partitions <= 1 || Teachers is not { Count: 1 } templates
        ? Teachers
        : Enumerable.Range(1, Partitions).Select(part => new TeacherOptions
        {
            Id = $"{templates[0].Id}-{part}",
            Model = templates[0].Model,
            Epochs = templates[0].Epochs,
            LearningRate = templates[0].LearningRate,
            LabelSmoothing = templates[0].LabelSmoothing,
            BatchSize = templates[0].BatchSize,
            AugmentedCopies = templates[0].AugmentedCopies,
        }).ToList();

    /// <summary>
    /// The private examples the teacher at <paramref name="teacherIndex"/> of <see cref="EffectiveTeachers"/>
    /// trains on: all of <paramref name="privateData"/> without partitions, else its own part of a
    /// seeded random split (the same on every start, so a restored teacher keeps its part).
    /// </summary>
    public Distillation.Data.Dataset TeacherData(Distillation.Data.Dataset privateData, int teacherIndex)
    {
        ArgumentNullException.ThrowIfNull(privateData);
        if (Partitions <= 1) return privateData;
        ArgumentOutOfRangeException.ThrowIfNegative(teacherIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(teacherIndex, Partitions);
        var parts = new Distillation.Data.IidPartitioner().Partition(privateData.Labels!, privateData.ClassCount, Partitions,
            new Distillation.Data.DeterministicRandom(Distillation.Data.DeterministicRandom.DeriveSeed(Seed, 0x7061727473)));
        return privateData.Subset(parts[teacherIndex]);
    }

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

        if (Partitions is < 1 or > MaxPartitions) errors.Add($"OrganizationOptions.Partitions is {Partitions}; it must be in [1, {MaxPartitions}].");
        else if (Partitions > 1 && Teachers is { Count: not 1 })
            errors.Add($"OrganizationOptions.Partitions is {Partitions}, so OrganizationOptions.Teachers must list exactly one teacher (the template each partition trains); it lists {Teachers.Count}. Several teachers on the same data would each carry a record's vote.");
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
