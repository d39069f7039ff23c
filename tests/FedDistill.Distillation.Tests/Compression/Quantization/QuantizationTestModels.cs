using FedDistill.Distillation.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

/// <summary>Hand-built models with known weights and a small synthetic image task for the quantization tests.</summary>
internal static class QuantizationTestModels
{
    /// <summary>first = Linear(2, 2) computing [x0, 1 − x1], ReLU, second = Linear(2, 1) summing its inputs.</summary>
    public static Sequential TwoLinears()
    {
        var first = nn.Linear(2, 2);
        var second = nn.Linear(2, 1);
        using (torch.no_grad())
        {
            first.weight.copy_(torch.tensor(new float[] { 1, 0, 0, -1 }, [2, 2]));
            first.bias!.copy_(torch.tensor(new float[] { 0, 1 }));
            second.weight.copy_(torch.tensor(new float[] { 1, 1 }, [1, 2]));
            second.bias!.zero_();
        }
        return nn.Sequential(("first", first), ("relu", nn.ReLU()), ("second", second));
    }

    /// <summary>One Linear(3, 2) with the weight of the fake-quantization tests and bias [0.5, −0.25].</summary>
    public static Sequential OneLinear()
    {
        var only = nn.Linear(3, 2);
        using (torch.no_grad())
        {
            only.weight.copy_(torch.tensor(new float[] { 0.4f, -2.0f, 1.1f, 0.1f, 0.2f, -0.3f }, [2, 3]));
            only.bias!.copy_(torch.tensor(new float[] { 0.5f, -0.25f }));
        }
        return nn.Sequential(("only", only));
    }

    /// <summary>A dataset of the given rows (one example per row), without labels.</summary>
    public static Dataset Rows(float[][] rows) => new(rows.SelectMany(row => row).ToArray(), [rows[0].Length], null, 2);

    /// <summary>Quadrant images' brightening over unit noise: about 94 % Bayes accuracy, so int8 rounding has borderline examples to flip.</summary>
    public const double QuadrantAmplitude = 0.7;

    /// <summary>1×8×8 images of 4 classes: class c brightens quadrant c by <see cref="QuadrantAmplitude"/> over unit Gaussian noise.</summary>
    public static Dataset Quadrants(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var features = new float[count * 64];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = labels[i] = random.NextInt(4);
            for (var pixel = 0; pixel < 64; pixel++)
                features[i * 64 + pixel] = (float)((Quadrant(pixel) == label ? QuadrantAmplitude : 0) + random.NextGaussian());
        }
        return new Dataset(features, [1, 8, 8], labels, 4);
    }

    /// <summary>
    /// The Bayes-optimal teacher's logits for <see cref="Quadrants"/>: with unit noise the log-likelihood
    /// of class c is, up to a constant, the amplitude times the sum of quadrant c. [N, 4], owned by the caller.
    /// </summary>
    public static Tensor BayesTeacherLogits(Dataset data)
    {
        var logits = new float[data.Count * 4];
        for (var i = 0; i < data.Count; i++)
        {
            var image = data.GetFeatures(i);
            for (var pixel = 0; pixel < 64; pixel++) logits[i * 4 + Quadrant(pixel)] += (float)(QuadrantAmplitude * image[pixel]);
        }
        return torch.tensor(logits, [data.Count, 4]);
    }

    private static int Quadrant(int pixel) => pixel / 8 / 4 * 2 + pixel % 8 / 4;
}
