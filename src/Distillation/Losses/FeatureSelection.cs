using FedDistill.Distillation.Models;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Losses;

/// <summary>Looks features up by name and describes shapes for the feature losses' error messages.</summary>
internal static class FeatureSelection
{
    /// <summary>The feature called <paramref name="name"/> (or the logits), with an error listing the available names when absent.</summary>
    public static Tensor Select(FeatureOutput output, string name, string role)
    {
        ArgumentNullException.ThrowIfNull(output, role);
        if (name == IFeatureDistillationLoss.LogitsFeature) return output.Logits;
        if (output.Features.TryGetValue(name, out var feature)) return feature;
        var available = string.Join(", ", output.Features.Keys.Prepend(IFeatureDistillationLoss.LogitsFeature).Select(key => $"'{key}'"));
        throw new ArgumentException($"The {role} has no feature '{name}'; it has {available}.", role);
    }

    /// <summary>A shape as <c>[2, 16, 14, 14]</c>.</summary>
    public static string Describe(long[] shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>"student feature 'conv1' [2, 16, 14, 14] and teacher feature 'conv2' [2, 32, 7, 7]", for messages.</summary>
    public static string DescribePair(string studentName, long[] studentShape, string teacherName, long[] teacherShape) =>
        $"student feature '{studentName}' {Describe(studentShape)} and teacher feature '{teacherName}' {Describe(teacherShape)}";

    /// <summary>Checks a feature name given to a constructor.</summary>
    public static string RequireName(string name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, parameterName);
        return name;
    }
}
