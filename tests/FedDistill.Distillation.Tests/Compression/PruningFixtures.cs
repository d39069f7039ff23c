using FedDistill.Distillation.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression;

/// <summary>Small models, weights set by hand, and a learnable synthetic task for the pruning tests.</summary>
internal static class PruningFixtures
{
    /// <summary>Gaussian blobs: feature j leans toward class j mod <paramref name="classes"/>; learnable in a few epochs, not by one weight.</summary>
    public static Dataset Blobs(int count, ulong seed, int classes = 3, int dimensions = 8, double spread = 0.8)
    {
        var random = new DeterministicRandom(seed);
        var features = new float[count * dimensions];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = i % classes;
            for (var j = 0; j < dimensions; j++)
                features[i * dimensions + j] = (float)((j % classes == labels[i] ? 1.5 : 0.0) + random.NextGaussian() * spread);
        }
        return new Dataset(features, [dimensions], labels, classes);
    }

    /// <summary>Overwrites a parameter with <paramref name="values"/> (row-major, same element count).</summary>
    public static void Set(Parameter parameter, float[] values)
    {
        using var noGrad = torch.no_grad();
        using var source = torch.tensor(values, parameter.shape);
        parameter.copy_(source);
    }

    /// <summary>Zeroes the given outputs (rows of a Linear weight, filters of a Conv2d weight) and their bias entries, so they contribute nothing.</summary>
    public static void ZeroOutputs(Parameter weight, Parameter? bias, params long[] outputs)
    {
        using var noGrad = torch.no_grad();
        using var index = torch.tensor(outputs);
        weight.index_fill_(0, index, 0);
        bias?.index_fill_(0, index, 0);
    }

    /// <summary>A parameter's values as a flat array.</summary>
    public static float[] Values(Tensor parameter)
    {
        using var noGrad = torch.no_grad();
        using var copy = parameter.detach().cpu().contiguous();
        return copy.data<float>().ToArray();
    }

    /// <summary>Number of exact zeros in <paramref name="tensor"/>.</summary>
    public static long Zeros(Tensor tensor) => Values(tensor).LongCount(value => value == 0);

    /// <summary>The model's logits for <paramref name="input"/> in evaluation mode, as an array.</summary>
    public static float[] Logits(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var logits = model.forward(input);
        return Values(logits);
    }

    /// <summary>A deep copy of the model's state, to restore it with <c>load_state_dict</c>.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var noGrad = torch.no_grad();
        return model.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>Asserts two logit arrays agree to float rounding (removing zero terms may reorder a sum).</summary>
    public static void AssertSameLogits(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])),
                $"Logit {i}: expected {expected[i]}, got {actual[i]}.");
    }
}
