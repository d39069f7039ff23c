using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// A model computing as its int8 export will in ONNX Runtime, simulated in float: each Conv2d and
/// Linear layer runs on its input fake-quantized with the calibrated range and its weight
/// fake-quantized per output channel, the bias in float. Gives the int8 model's accuracy without
/// an export or ONNX Runtime.
/// </summary>
/// <remarks>
/// Everything between the layers (ReLU, pooling, batch norm, residual additions) stays in float,
/// as in a QDQ graph whose quantized operators are the convolutions and matrix products. ONNX
/// Runtime quantizes the bias to int32 with scale input scale × weight scale; that rounding is
/// far below the activations' and is not simulated. The wrapper borrows the model: disposing it
/// removes the hooks and leaves the model to its owner.
/// </remarks>
public sealed class SimulatedInt8Model : nn.Module<Tensor, Tensor>
{
    // Field name is the registered name: RegisterComponents and Module.to() go by field name.
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly LayerHooks _hooks;
    private bool _disposed;

    /// <summary>Wraps <paramref name="model"/> with the ranges of <paramref name="calibration"/>.</summary>
    /// <param name="model">The float model; borrowed, not owned, weights not changed.</param>
    /// <param name="calibration">A range for every Conv2d and Linear layer of the model, and for nothing else.</param>
    /// <param name="signedActivations">int8 rather than uint8 activation levels, as the export uses; the values differ only for all-zero ranges.</param>
    /// <exception cref="ArgumentException">The calibration misses a layer, names a layer the model lacks, or holds an invalid range; or the model has no quantizable layer.</exception>
    /// <exception cref="InvalidOperationException">The model's layers are already hooked by another quantization wrapper.</exception>
    public SimulatedInt8Model(nn.Module<Tensor, Tensor> model, QuantizationCalibration calibration, bool signedActivations = false)
        : base(nameof(SimulatedInt8Model))
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(calibration);
        ArgumentNullException.ThrowIfNull(calibration.Inputs, nameof(calibration));
        var layers = QuantizableLayers.Find(model, nameof(model));
        CheckCovers(calibration, layers);
        _hooks = LayerHooks.Hold(layers, nameof(SimulatedInt8Model));
        this.model = model;
        Calibration = calibration;
        foreach (var (name, layer) in layers)
        {
            var range = calibration.Inputs[name];
            FakeQuantizedLayers.Install(_hooks, layer, _ => range, signedActivations);
        }
        RegisterComponents();
    }

    /// <summary>The wrapped float model.</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>The ranges the layer inputs are quantized with.</summary>
    public QuantizationCalibration Calibration { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => model.call(input);

    /// <summary>The accuracy of <paramref name="model"/> quantized with <paramref name="calibration"/> on a labeled dataset.</summary>
    /// <exception cref="ArgumentException">As the constructor, or the data has no labels.</exception>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, QuantizationCalibration calibration, Dataset data, bool signedActivations = false)
    {
        using var simulated = new SimulatedInt8Model(model, calibration, signedActivations);
        return Predictor.Accuracy(simulated, data);
    }

    /// <summary>Removes the hooks; the borrowed model is left to its owner, computing in float again.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _hooks.Dispose();
            // Unregistered first, so the base class, which disposes every child, spares it.
            _internal_submodules.Remove(nameof(model));
        }
        base.Dispose(disposing);
    }

    private static void CheckCovers(QuantizationCalibration calibration, IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> layers)
    {
        var names = layers.Select(layer => layer.Name).ToHashSet(StringComparer.Ordinal);
        var missing = layers.Select(layer => layer.Name).Where(name => !calibration.Inputs.ContainsKey(name)).ToArray();
        var unknown = calibration.Inputs.Keys.Where(name => !names.Contains(name)).ToArray();
        if (missing.Length > 0 || unknown.Length > 0)
        {
            var problems = new List<string>();
            if (missing.Length > 0) problems.Add($"it has no range for layer(s) {string.Join(", ", missing.Select(n => $"'{n}'"))}");
            if (unknown.Length > 0) problems.Add($"it names layer(s) {string.Join(", ", unknown.Select(n => $"'{n}'"))} the model does not have");
            throw new ArgumentException($"QuantizationCalibration.Inputs does not fit the model: {string.Join("; ", problems)}. The model's Conv2d and Linear layers are {string.Join(", ", names)}.", nameof(calibration));
        }
        foreach (var (name, range) in calibration.Inputs)
        {
            try
            {
                QuantizationMath.ActivationParameters(range, signed: false);
            }
            catch (ArgumentException problem)
            {
                throw new ArgumentException($"QuantizationCalibration.Inputs['{name}']: {problem.Message}", nameof(calibration), problem);
            }
        }
    }
}
