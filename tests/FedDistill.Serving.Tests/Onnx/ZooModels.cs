using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Serving.Tests.Onnx;

/// <summary>Models of the zoo for the tests, seeded so every run sees the same weights.</summary>
internal static class ZooModels
{
    /// <summary>An untrained model of <paramref name="kind"/> in eval mode; resnets get non-trivial batch-norm statistics first.</summary>
    public static nn.Module<Tensor, Tensor> Create(string kind, long[] exampleShape, int seed = 7)
    {
        torch.manual_seed(seed);
        var model = ModelFactory.Create(new ModelSpec { Kind = kind, Classes = 10 }, exampleShape.Select(d => (int)d).ToArray());
        if (model is ResNetCifar)
        {
            // Running statistics of a few training-mode batches, so folding batch norm is tested on more than mean 0, variance 1.
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            model.train();
            for (var i = 0; i < 3; i++) model.forward(torch.randn([16, .. exampleShape]) * 2 + 0.5);
        }
        model.eval();
        return model;
    }

    /// <summary>Fits <paramref name="model"/> for a few Adam steps on the sample's training slice, then puts it in eval mode.</summary>
    public static void Fit(nn.Module<Tensor, Tensor> model, FashionMnistSample data, int steps, int batchSize = 64)
    {
        model.train();
        using var optimizer = torch.optim.Adam(model.parameters(), 2e-3);
        for (var step = 0; step < steps; step++)
        {
            using var scope = torch.NewDisposeScope();
            var start = step * batchSize % (FashionMnistSample.TrainCount - batchSize);
            var labels = torch.tensor(data.TrainLabels.AsSpan(start, batchSize).ToArray());
            var loss = nn.functional.cross_entropy(model.forward(data.TrainBatch(start, batchSize)), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
    }

    /// <summary>TorchSharp's logits for a batch, as a row-major array.</summary>
    public static float[] Logits(nn.Module<Tensor, Tensor> model, float[] input, long[] shape)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return model.forward(torch.tensor(input, shape)).contiguous().data<float>().ToArray();
    }

    public static int[] Argmax(float[] logits, int classes) =>
        Enumerable.Range(0, logits.Length / classes)
            .Select(row => Array.IndexOf(logits, logits.AsSpan(row * classes, classes).ToArray().Max(), row * classes, classes) - row * classes)
            .ToArray();
}
