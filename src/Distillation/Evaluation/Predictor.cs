using FedDistill.Distillation.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Evaluation;

/// <summary>Runs a model over a whole dataset in evaluation mode, without autograd.</summary>
public static class Predictor
{
    /// <summary>
    /// The model's logits for every example, as one [N, C] float32 tensor owned by the caller.
    /// The model's training mode is restored afterwards.
    /// </summary>
    public static Tensor PredictLogits(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var inference = torch.inference_mode();
            using var scope = torch.NewDisposeScope();
            var device = ModelDevice(model);
            var assembler = new BatchAssembler(data);
            var outputs = new List<Tensor>();
            var indices = new int[Math.Min(batchSize, data.Count)];
            for (var start = 0; start < data.Count; start += batchSize)
            {
                var count = Math.Min(batchSize, data.Count - start);
                for (var i = 0; i < count; i++) indices[i] = start + i;
                var (features, _) = assembler.Assemble(indices.AsSpan(0, count), device);
                outputs.Add(model.forward(features).cpu());
            }
            return torch.cat(outputs, 0).MoveToOuterDisposeScope();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The device of the model's first parameter (the CPU for a model without parameters).</summary>
    public static Device ModelDevice(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var parameter in model.parameters()) return parameter.device;
        return torch.CPU;
    }

    /// <summary>Fraction of examples whose arg-max logit is the label.</summary>
    public static double Accuracy(Tensor logits, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        using var predictions = logits.argmax(1).cpu();
        var predicted = predictions.data<long>().ToArray();
        if (predicted.Length != labels.Count) throw new ArgumentException($"{predicted.Length} predictions for {labels.Count} labels.", nameof(labels));
        var correct = 0;
        for (var i = 0; i < predicted.Length; i++) if (predicted[i] == labels[i]) correct++;
        return predicted.Length == 0 ? 0 : (double)correct / predicted.Length;
    }

    /// <summary>Accuracy of <paramref name="model"/> on a labeled dataset.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, Dataset data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Labels is null) throw new ArgumentException("Accuracy needs a labeled dataset.", nameof(data));
        using var logits = PredictLogits(model, data, batchSize);
        return Accuracy(logits, data.Labels);
    }
}
