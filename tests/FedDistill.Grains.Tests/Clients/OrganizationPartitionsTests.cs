using FedDistill.Distillation.Data;
using FedDistill.Grains.Clients;

namespace FedDistill.Grains.Tests.Clients;

/// <summary>Teacher partitions: an organization's private data split so that each record trains exactly one teacher.</summary>
public sealed class OrganizationPartitionsTests
{
    /// <summary>k partitions make k teachers from the one template, with ids {Id}-1 to {Id}-k and the template's settings.</summary>
    [Fact]
    public void Partitions_turn_the_template_into_one_teacher_per_part()
    {
        var options = Organization(partitions: 4);

        Assert.Empty(options.Validate());
        Assert.Equal(["cnn-1", "cnn-2", "cnn-3", "cnn-4"], options.EffectiveTeachers.Select(t => t.Id));
        Assert.All(options.EffectiveTeachers, teacher => Assert.Equal(7, teacher.Epochs));
    }

    /// <summary>The parts are disjoint, cover the private data, are nearly equal, and are the same on every call (a restarted teacher keeps its part).</summary>
    [Fact]
    public void Partitions_are_disjoint_cover_the_data_and_are_stable()
    {
        var options = Organization(partitions: 3);
        var features = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var data = new Dataset(features, [1], Enumerable.Range(0, 100).Select(i => i % 10).ToArray(), 10);

        var parts = Enumerable.Range(0, 3).Select(p => options.TeacherData(data, p).Features.ToArray()).ToList();

        Assert.Equal(features.Order(), parts.SelectMany(part => part).Order());
        Assert.All(parts, part => Assert.InRange(part.Length, 33, 34));
        Assert.Equal(parts[1], options.TeacherData(data, 1).Features.ToArray());
        Assert.Same(data, Organization(partitions: 1).TeacherData(data, 0));
    }

    /// <summary>Partitions need exactly one teacher template and stay within what one upload carries.</summary>
    [Fact]
    public void Bad_partition_settings_are_refused_naming_the_setting()
    {
        var twoTeachers = Organization(partitions: 2);
        twoTeachers.Teachers.Add(new TeacherOptions { Id = "mlp" });
        Assert.Contains(twoTeachers.Validate(), error => error.Contains("OrganizationOptions.Partitions is 2", StringComparison.Ordinal));
        Assert.Contains(Organization(partitions: 33).Validate(), error => error.Contains("OrganizationOptions.Partitions is 33", StringComparison.Ordinal));
        Assert.Contains(Organization(partitions: 0).Validate(), error => error.Contains("OrganizationOptions.Partitions is 0", StringComparison.Ordinal));
    }

    private static OrganizationOptions Organization(int partitions) => new()
    {
        Id = "hospital-1",
        Partitions = partitions,
        Teachers = [new TeacherOptions { Id = "cnn", Epochs = 7 }],
    };
}
