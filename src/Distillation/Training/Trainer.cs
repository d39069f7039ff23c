using System.Diagnostics;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Losses;
using FedDistill.Torch;
using FedDistill.Torch.Nn;
using FedDistill.Torch.Optimizers;

namespace FedDistill.Distillation.Training;

/// <summary>
/// Trains a model on a dataset against a loss: hard labels for a teacher, teacher logits (soft
/// labels) for a student, or both. Deterministic for a given seed and thread count.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer; the options are validated here.</summary>
    public Trainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
    }

    /// <summary>
    /// Trains <paramref name="model"/> in place.
    /// </summary>
    /// <param name="model">The model; left in evaluation mode afterwards.</param>
    /// <param name="data">Training examples; must carry labels when the loss needs them.</param>
    /// <param name="teacherLogits">[N, C] logits aligned with <paramref name="data"/>'s examples, or null; not disposed.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="progress">Receives a report after each step; may be null.</param>
    /// <param name="cancellationToken">Stops training between steps; the model keeps the updates made so far.</param>
    /// <exception cref="ArgumentException">The data or teacher logits do not fit the loss.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingSummary Train(Module model, Dataset data, Tensor? teacherLogits, IDistillationLoss loss,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.NeedsLabels && !data.HasLabels) throw new ArgumentException("The loss needs hard labels but the dataset has none.", nameof(data));
        if (loss.NeedsTeacher && teacherLogits is null) throw new ArgumentException("The loss needs teacher logits but none were given.", nameof(teacherLogits));
        if (teacherLogits is not null)
        {
            var shape = teacherLogits.Shape;
            if (shape.Length != 2 || shape[0] != data.Count)
                throw new ArgumentException($"Teacher logits have shape [{string.Join(", ", shape)}]; expected [{data.Count}, classes].", nameof(teacherLogits));
        }
        if (data.Count == 0) throw new ArgumentException("The dataset is empty.", nameof(data));

        Torch.Torch.ManualSeed(_options.Seed);
        var plan = new BatchPlan(data.Count, Math.Min(_options.BatchSize, data.Count), shuffle: true, dropLast: false);
        var totalSteps = (long)plan.BatchesPerEpoch * _options.Epochs;
        using var optimizer = CreateOptimizer(model);
        var schedule = CreateSchedule(totalSteps);
        var assembler = new BatchAssembler(data);
        var stopwatch = Stopwatch.StartNew();
        long step = 0;
        double epochLoss = 0;
        model.Train();
        try
        {
            for (var epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                var batches = plan.Batches(_options.Seed, epoch - 1);
                var epochWatch = Stopwatch.StartNew();
                double lossSum = 0;
                long samples = 0;
                for (var b = 0; b < batches.Count; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var indices = batches[b];
                    var rate = schedule?.Apply(optimizer, step) ?? optimizer.LearningRate;
                    using (var scope = DisposeScope.Enter())
                    {
                        var (features, labels) = assembler.Assemble(indices);
                        Tensor? targets = null;
                        if (teacherLogits is not null)
                        {
                            var index = Tensor.FromArray(Array.ConvertAll(indices, i => (long)i));
                            targets = teacherLogits.IndexSelect(0, index);
                        }
                        var output = model.Forward(features);
                        var value = loss.Compute(output, targets, labels);
                        optimizer.ZeroGrad();
                        value.Backward();
                        optimizer.Step();
                        lossSum += value.Item() * indices.Length;
                    }
                    samples += indices.Length;
                    step++;
                    var last = b == batches.Count - 1;
                    progress?.Report(new TrainingProgress(epoch, _options.Epochs, b + 1, batches.Count, lossSum / samples, rate,
                        samples / Math.Max(epochWatch.Elapsed.TotalSeconds, 1e-9), last));
                }
                epochLoss = lossSum / samples;
            }
        }
        finally
        {
            model.Eval();
        }
        stopwatch.Stop();
        return new TrainingSummary(_options.Epochs, step, epochLoss, stopwatch.Elapsed,
            (double)data.Count * _options.Epochs / Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-9));
    }

    private Optimizer CreateOptimizer(Module model) => _options.Optimizer switch
    {
        "adam" => new Adam(model.Parameters(), _options.LearningRate, weightDecay: _options.WeightDecay),
        "adamw" => new AdamW(model.Parameters(), _options.LearningRate, weightDecay: _options.WeightDecay),
        "sgd" => new Sgd(model.Parameters(), _options.LearningRate, _options.Momentum, weightDecay: _options.WeightDecay,
            nesterov: _options.Momentum > 0),
        _ => throw new InvalidOperationException($"Unknown optimizer '{_options.Optimizer}'."),
    };

    private LearningRateSchedule? CreateSchedule(long totalSteps) => _options.Schedule switch
    {
        "constant" => null,
        "cosine" => new CosineSchedule(_options.LearningRate, Math.Max(totalSteps, _options.WarmupSteps + 1), 0, _options.WarmupSteps),
        "step" => new MilestoneSchedule(_options.LearningRate, totalSteps),
        _ => throw new InvalidOperationException($"Unknown schedule '{_options.Schedule}'."),
    };

    /// <summary>×0.1 at half and three quarters of the run: the classic ResNet recipe.</summary>
    private sealed class MilestoneSchedule(double baseRate, long totalSteps) : LearningRateSchedule
    {
        public override double LearningRateAt(long step) =>
            step >= totalSteps * 3 / 4 ? baseRate * 0.01 : step >= totalSteps / 2 ? baseRate * 0.1 : baseRate;
    }
}
