using FedDistill.Distillation.Ensembles;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Ensembles;

/// <summary>Builds teachers' logits from plain arrays and reads ensembles back, so tests state values by hand.</summary>
internal static class EnsembleTensors
{
    /// <summary>An [N, C] float32 tensor with the given rows.</summary>
    public static Tensor Matrix(params double[][] rows)
    {
        var classes = rows[0].Length;
        var data = rows.SelectMany(row => row.Select(value => (float)value)).ToArray();
        return torch.tensor(data, rows.Length, classes);
    }

    /// <summary>Logits log p whose softmax is exactly the given probability rows (each summing to 1).</summary>
    public static Tensor LogitsOf(params double[][] probabilityRows) =>
        Matrix(probabilityRows.Select(row => row.Select(p => Math.Log(p)).ToArray()).ToArray());

    /// <summary>The rows of an [N, C] float32 tensor.</summary>
    public static double[][] Rows(Tensor tensor)
    {
        var classes = (int)tensor.size(1);
        var values = tensor.data<float>().ToArray();
        return Enumerable.Range(0, values.Length / classes)
            .Select(row => values.Skip(row * classes).Take(classes).Select(value => (double)value).ToArray())
            .ToArray();
    }

    /// <summary>Deterministic pseudo-random logits, spread like a trained classifier's (a few units).</summary>
    public static Tensor RandomLogits(int examples, int classes, int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, examples)
            .Select(_ => Enumerable.Range(0, classes).Select(_ => random.NextDouble() * 6.0 - 3.0).ToArray())
            .ToArray();
        return Matrix(rows);
    }

    /// <summary>softmax(z / T) in double precision.</summary>
    public static double[] Softmax(IReadOnlyList<double> logits, double temperature = 1.0)
    {
        var max = logits.Max();
        var exponentials = logits.Select(value => Math.Exp((value - max) / temperature)).ToArray();
        var total = exponentials.Sum();
        return exponentials.Select(value => value / total).ToArray();
    }

    /// <summary>−Σ p log p.</summary>
    public static double Entropy(IReadOnlyList<double> probabilities) =>
        -probabilities.Where(p => p > 0).Sum(p => p * Math.Log(p));

    /// <summary>Index of the largest value (the first on ties).</summary>
    public static int ArgMax(IReadOnlyList<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>A contribution carrying every optional field, so any strategy accepts it.</summary>
    public static TeacherContribution Teacher(string id, Tensor logits, double weight = 1.0, double accuracy = 0.8) =>
        new(id, logits)
        {
            Weight = weight,
            ValidationAccuracy = accuracy,
            PerClassWeights = Enumerable.Repeat(1.0, (int)logits.size(1)).ToArray(),
        };

    /// <summary>Runs the strategy over the teachers and reads back the ensemble logits.</summary>
    public static double[][] Ensemble(IEnsembleStrategy strategy, params TeacherContribution[] teachers)
    {
        using var accumulator = strategy.Begin((int)teachers[0].Logits.size(0), (int)teachers[0].Logits.size(1));
        foreach (var teacher in teachers) accumulator.Add(teacher);
        using var result = accumulator.Finish();
        return Rows(result);
    }

    /// <summary>The distribution a loss at temperature T reads from ensemble logits: softmax(z / T) per row.</summary>
    public static double[][] Distribution(double[][] logits, double temperature = 1.0) =>
        logits.Select(row => Softmax(row, temperature)).ToArray();

    /// <summary>Asserts two row sets agree element-wise within an absolute tolerance.</summary>
    public static void AssertClose(double[][] expected, double[][] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var row = 0; row < expected.Length; row++)
        {
            Assert.Equal(expected[row].Length, actual[row].Length);
            for (var column = 0; column < expected[row].Length; column++)
            {
                var difference = Math.Abs(expected[row][column] - actual[row][column]);
                if (!(difference <= tolerance))
                    Assert.Fail($"[{row}, {column}]: expected {expected[row][column]:R}, got {actual[row][column]:R} (tolerance {tolerance:G3}).");
            }
        }
    }
}
