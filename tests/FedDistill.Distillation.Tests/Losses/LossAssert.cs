using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

/// <summary>Tolerant comparisons of loss values and gradients.</summary>
internal static class LossAssert
{
    /// <summary>|expected − actual| ≤ absolute + relative·|expected|.</summary>
    public static void Close(double expected, double actual, double relative = 1e-5, double absolute = 1e-6, string? what = null)
    {
        var tolerance = absolute + relative * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tolerance,
            $"{what ?? "value"}: expected {expected:R}, got {actual:R} (difference {Math.Abs(expected - actual):E3}, tolerance {tolerance:E3}).");
    }

    /// <summary>Element-wise <see cref="Close(double, double, double, double, string?)"/> with equal lengths.</summary>
    public static void AllClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative = 1e-5, double absolute = 1e-6)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) Close(expected[i], actual[i], relative, absolute, $"element {i}");
    }

    /// <summary>A tensor's values as doubles, whatever its floating dtype and device.</summary>
    public static double[] Values(Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        return tensor.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
    }
}
