using FedDistill.Torch.Tests.Reference;

namespace FedDistill.Torch.Tests;

/// <summary>Assertions on tensor values with a combined absolute and relative tolerance.</summary>
internal static class TensorAssert
{
    /// <summary>Same shape as <paramref name="expected"/>, and every value within |e - a| ≤ tolerance · (1 + |e|).</summary>
    public static void Close(ReferenceTensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Close(expected.Data, Values(actual), tolerance);
    }

    /// <summary>Every value within |e - a| ≤ tolerance · (1 + |e|), with the first offending index in the message.</summary>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var bound = tolerance * (1 + Math.Abs(expected[i]));
            if (!(Math.Abs(expected[i] - actual[i]) <= bound))
                Assert.Fail($"Element {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {bound:G3}).");
        }
    }

    /// <summary>Every value of a float tensor within tolerance of <paramref name="expected"/>.</summary>
    public static void Close(IReadOnlyList<double> expected, Tensor actual, double tolerance = 1e-5) =>
        Close(expected, Values(actual), tolerance);

    /// <summary>The elements of a float32 or float64 tensor as doubles.</summary>
    public static double[] Values(Tensor tensor) => tensor.DType switch
    {
        DType.Float32 => tensor.ToArray<float>().Select(value => (double)value).ToArray(),
        DType.Float64 => tensor.ToArray<double>(),
        var other => throw new NotSupportedException($"TensorAssert compares float tensors, not {other}."),
    };
}
