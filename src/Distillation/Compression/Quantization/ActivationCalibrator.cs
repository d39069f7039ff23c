using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// Post-training quantization calibration: runs unlabeled examples (the public set serves) through
/// a trained model and records the input range of every Conv2d and Linear layer, for an int8
/// export of the model as it is.
/// </summary>
/// <remarks>
/// Ranges are taken by forward pre-hooks on the layers, so the model must invoke its layers
/// through <c>call()</c> (the model zoo does). The model runs in evaluation mode (dropout off,
/// batch norm on its running statistics), as it will in ONNX Runtime.
/// </remarks>
public static class ActivationCalibrator
{
    /// <summary>Measures the input range of every Conv2d and Linear layer of <paramref name="model"/>.</summary>
    /// <param name="model">A trained model, on any device; its mode is restored afterwards and its weights are not changed.</param>
    /// <param name="calibrationData">Examples shaped as the model's input; labels, if any, are ignored.</param>
    /// <param name="options">Batch size, percentile and example budget.</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>A range per layer, in network order.</returns>
    /// <exception cref="ArgumentException">An option is invalid, the data is empty, or the model has no quantizable layer.</exception>
    /// <exception cref="InvalidOperationException">A layer never ran (the model calls it with <c>forward()</c>, bypassing hooks, or not at all), a layer input held NaN or ±∞, or the layers are hooked by a quantization wrapper.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static QuantizationCalibration Calibrate(nn.Module<Tensor, Tensor> model, Dataset calibrationData, CalibrationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibrationData);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (calibrationData.Count == 0) throw new ArgumentException("The calibration data is empty.", nameof(calibrationData));
        var layers = QuantizableLayers.Find(model, nameof(model));
        var examples = Math.Min(options.MaxExamples ?? int.MaxValue, calibrationData.Count);
        var data = calibrationData.WithoutLabels();

        var wasTraining = model.training;
        model.eval();
        try
        {
            var low = Enumerable.Repeat(double.PositiveInfinity, layers.Count).ToArray();
            var high = Enumerable.Repeat(double.NegativeInfinity, layers.Count).ToArray();
            RunHooked(model, layers, data, examples, options.BatchSize, cancellationToken, (layer, input) =>
            {
                var (min, max) = input.aminmax();
                low[layer] = Math.Min(low[layer], min.item<float>());
                high[layer] = Math.Max(high[layer], max.item<float>());
            });
            for (var i = 0; i < layers.Count; i++)
            {
                if (low[i] > high[i])
                    throw new InvalidOperationException(
                        $"Layer '{layers[i].Name}' never ran during calibration; the model must invoke it through call(), not forward(), so that its forward hooks fire.");
                if (!double.IsFinite(low[i]) || !double.IsFinite(high[i]))
                    throw new InvalidOperationException($"The input of layer '{layers[i].Name}' holds NaN or ±∞ (range [{low[i]}, {high[i]}]); it cannot be quantized.");
            }

            if (options.Percentile < 100) ClipToPercentile(model, layers, data, examples, options, low, high, cancellationToken);
            var inputs = new OrderedDictionary<string, ActivationRange>(StringComparer.Ordinal);
            for (var i = 0; i < layers.Count; i++) inputs.Add(layers[i].Name, new ActivationRange((float)low[i], (float)high[i]));
            return new QuantizationCalibration(inputs);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The bounds that keep <paramref name="percentile"/> % of the values at each end, read from a
    /// histogram of equal bins over [<paramref name="low"/>, <paramref name="high"/>]: each bound is
    /// the edge of the outermost bin that cannot be dropped without losing more than the allowed
    /// share, so it is conservative by at most one bin.
    /// </summary>
    internal static (double Low, double High) PercentileBounds(IReadOnlyList<long> counts, double low, double high, double percentile)
    {
        var total = counts.Sum();
        var dropped = (1 - percentile / 100) * total;
        var width = (high - low) / counts.Count;
        int first = 0, last = counts.Count - 1;
        for (long below = counts[0]; below <= dropped && first < last; below += counts[first]) first++;
        for (long above = counts[^1]; above <= dropped && last > first; above += counts[last]) last--;
        return (first == 0 ? low : low + first * width, last == counts.Count - 1 ? high : low + (last + 1) * width);
    }

    private static void ClipToPercentile(nn.Module<Tensor, Tensor> model, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> layers,
        Dataset data, int examples, CalibrationOptions options, double[] low, double[] high, CancellationToken cancellationToken)
    {
        // A second pass: the histogram's bins need the true range, which only the first pass knows.
        const int bins = CalibrationOptions.HistogramBins;
        var counts = new long[layers.Count][];
        for (var i = 0; i < counts.Length; i++) counts[i] = new long[bins];
        RunHooked(model, layers, data, examples, options.BatchSize, cancellationToken, (layer, input) =>
        {
            if (high[layer] == low[layer]) return;
            var binIndex = input.flatten().to(ScalarType.Float64).sub(low[layer]).mul_(bins / (high[layer] - low[layer]))
                .floor_().clamp_(0, bins - 1).to(ScalarType.Int64);
            var batchCounts = torch.bincount(binIndex, minlength: bins).cpu().data<long>().ToArray();
            for (var b = 0; b < bins; b++) counts[layer][b] += batchCounts[b];
        });
        for (var i = 0; i < layers.Count; i++)
            if (high[i] > low[i]) (low[i], high[i]) = PercentileBounds(counts[i], low[i], high[i], options.Percentile);
    }

    private static void RunHooked(nn.Module<Tensor, Tensor> model, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> layers,
        Dataset data, int examples, int batchSize, CancellationToken cancellationToken, Action<int, Tensor> record)
    {
        using var hooks = LayerHooks.Hold(layers, nameof(ActivationCalibrator));
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = i;
            hooks.BeforeForward(layers[i].Layer, input =>
            {
                record(layer, input);
                return input;
            });
        }

        using var inference = torch.inference_mode();
        var device = Predictor.ModelDevice(model);
        var assembler = new BatchAssembler(data);
        for (var start = 0; start < examples; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(batchSize, examples - start)).ToArray();
            var (features, _) = assembler.Assemble(indices, device);
            model.call(features);
        }
    }
}
