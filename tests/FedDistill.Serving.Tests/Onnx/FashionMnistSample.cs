using FedDistill.Distillation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Serving.Tests.Onnx;

/// <summary>
/// Real Fashion-MNIST images, normalized with the training set's mean and standard deviation as
/// the pipeline does: a training slice to fit and calibrate on and 500 test images to compare on.
/// </summary>
public sealed class FashionMnistSample
{
    public const int EvaluationCount = 500;

    public FashionMnistSample()
    {
        var train = FashionMnist.LoadTrain();
        var test = FashionMnist.LoadTest();
        TrainImages = Normalize(train.Features.Span[..(TrainCount * 784)].ToArray());
        TrainLabels = train.Labels!.Take(TrainCount).Select(label => (long)label).ToArray();
        EvaluationImages = Normalize(test.Features.Span[..(EvaluationCount * 784)].ToArray());
    }

    public const int TrainCount = 6000;

    /// <summary>[6000 × 1 × 28 × 28] normalized training pixels, row-major.</summary>
    public float[] TrainImages { get; }

    public long[] TrainLabels { get; }

    /// <summary>[500 × 1 × 28 × 28] normalized test pixels, row-major.</summary>
    public float[] EvaluationImages { get; }

    /// <summary>The first <paramref name="count"/> training images as a new [count, 1, 28, 28] tensor.</summary>
    public Tensor TrainBatch(int start, int count) =>
        torch.tensor(TrainImages.AsSpan(start * 784, count * 784).ToArray(), new long[] { count, 1, 28, 28 });

    private static float[] Normalize(float[] pixels)
    {
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (pixels[i] - FashionMnist.ReferenceMean) / FashionMnist.ReferenceStandardDeviation;
        return pixels;
    }
}
