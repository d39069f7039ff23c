using FedDistill.Distillation.Evaluation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Compression.Quantization;

/// <summary>
/// Quantization-aware training: wraps a model so that every Conv2d and Linear layer computes on
/// fake-quantized weights (per output channel, symmetric int8) and fake-quantized inputs (per
/// tensor, with moving-average observed ranges), so training adapts the weights to int8 rounding.
/// The wrapper is a model like any other: train it with <see cref="Training.Trainer"/> and the
/// distillation loss, then take <see cref="ToCalibration"/> for the int8 export.
/// </summary>
/// <remarks>
/// <para>Usage: <c>using (var qat = new QuantizationAwareTraining(student)) { trainer.Train(qat,
/// publicSet, teacherLogits, new KnowledgeDistillationLoss()); calibration = qat.ToCalibration(); }</c>,
/// then export <c>student</c> (its weights trained in place) with <c>calibration</c>.</para>
/// <para>In training mode each layer input updates its observed range before it is quantized; in
/// evaluation mode the ranges stay fixed and the wrapper computes exactly as
/// <see cref="SimulatedInt8Model"/> with <see cref="ToCalibration"/>. The wrapper borrows the
/// model: its state dict holds the model's under <c>model.</c> and the observed ranges under
/// <c>observers.N.min</c> and <c>.max</c>; disposing it removes the hooks, so the model computes in
/// float again, and leaves the model to its owner.</para>
/// <para>Batch norm is trained unfolded: an exporter that folds it into the preceding
/// convolution quantizes the folded weight, which QAT has not seen.</para>
/// </remarks>
public sealed class QuantizationAwareTraining : nn.Module<Tensor, Tensor>
{
    // Field names are the registered names: RegisterComponents and Module.to() go by field name.
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly ModuleList<MovingAverageRangeObserver> observers;
    private readonly LayerHooks _hooks;
    private bool _disposed;

    /// <summary>Wraps <paramref name="model"/> and hooks its Conv2d and Linear layers.</summary>
    /// <param name="model">The model to train, usually a trained fp32 student; borrowed, not owned.</param>
    /// <param name="options">Observer settings; the defaults when null.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the model has no quantizable layer.</exception>
    /// <exception cref="InvalidOperationException">The model's layers are already hooked by another quantization wrapper.</exception>
    public QuantizationAwareTraining(nn.Module<Tensor, Tensor> model, QuantizationAwareTrainingOptions? options = null)
        : base(nameof(QuantizationAwareTraining))
    {
        ArgumentNullException.ThrowIfNull(model);
        var settings = (options ?? new QuantizationAwareTrainingOptions()).Validate();
        var layers = QuantizableLayers.Find(model, nameof(model));
        _hooks = LayerHooks.Hold(layers, nameof(QuantizationAwareTraining));
        this.model = model;
        LayerNames = layers.Select(layer => layer.Name).ToArray();
        try
        {
            var device = Predictor.ModelDevice(model);
            observers = new ModuleList<MovingAverageRangeObserver>(
                layers.Select(_ => new MovingAverageRangeObserver(settings.AveragingConstant, device)).ToArray());
            for (var i = 0; i < layers.Count; i++)
            {
                var (name, layer) = layers[i];
                var observer = observers[i];
                FakeQuantizedLayers.Install(_hooks, layer, input =>
                {
                    if (layer.training) observer.Observe(input);
                    return observer.Range ?? throw new InvalidOperationException(
                        $"Layer '{name}' has no observed input range yet; run the wrapper in training mode before evaluating it.");
                });
            }
            RegisterComponents();
        }
        catch
        {
            // Let go of the layers, or the model could never be wrapped or calibrated again.
            _hooks.Dispose();
            throw;
        }
    }

    /// <summary>The wrapped model, whose weights training updates in place; export this one.</summary>
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>The names of the quantized layers (the keys of <see cref="ToCalibration"/>), in network order.</summary>
    public IReadOnlyList<string> LayerNames { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => model.call(input);

    /// <summary>The observed input range of every quantized layer, for the int8 export.</summary>
    /// <exception cref="InvalidOperationException">A layer has not observed an input yet (the wrapper has not run in training mode).</exception>
    public QuantizationCalibration ToCalibration()
    {
        var inputs = new OrderedDictionary<string, ActivationRange>(StringComparer.Ordinal);
        for (var i = 0; i < LayerNames.Count; i++)
        {
            inputs.Add(LayerNames[i], observers[i].Range ?? throw new InvalidOperationException(
                $"Layer '{LayerNames[i]}' has not observed an input; train the wrapper before taking its calibration."));
        }
        return new QuantizationCalibration(inputs);
    }

    /// <summary>Removes the hooks and frees the observers; the borrowed model is left to its owner, computing in float again.</summary>
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
}
