using System.Diagnostics;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Training.Optimizers;
using FedDistill.Distillation.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Training;

/// <summary>
/// Trains a model on a dataset against a loss: hard labels for a teacher, teacher logits (soft
/// labels) for a student, or both. Deterministic for a given seed and thread count.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer; the options are validated and the device resolved here.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or the device does not exist on this machine.</exception>
    public Trainer(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        Device = ComputeDevice.Resolve(options.Device);
    }

    /// <summary>Where this trainer trains: the model is moved there, batches are assembled there.</summary>
    public Device Device { get; }

    /// <summary>
    /// Trains <paramref name="model"/> in place.
    /// </summary>
    /// <param name="model">The model; moved to <see cref="Device"/> and left there in evaluation mode afterwards.</param>
    /// <param name="data">Training examples; must carry labels when the loss needs them.</param>
    /// <param name="teacherLogits">[N, C] logits aligned with <paramref name="data"/>'s examples, or null; not disposed.</param>
    /// <param name="loss">The objective.</param>
    /// <param name="progress">Receives a report after each step; may be null.</param>
    /// <param name="cancellationToken">Stops training between steps; the model keeps the updates made so far.</param>
    /// <param name="validation">Labeled data evaluated after each epoch; enables early stopping.</param>
    /// <param name="afterOptimizerStep">
    /// Called after every optimizer step, inside the step's dispose scope and before the step is
    /// reported; null for none. It lets a caller keep a constraint on the weights that the
    /// optimizer would break, such as pruning masks (<c>PruningMasks.Apply</c>) re-zeroing the
    /// weights that momentum moved. It must not keep tensors it makes beyond the call.
    /// </param>
    /// <exception cref="ArgumentException">The data or teacher logits do not fit the loss.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingSummary Train(nn.Module<Tensor, Tensor> model, Dataset data, Tensor? teacherLogits, IDistillationLoss loss,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, Dataset? validation = null,
        Action? afterOptimizerStep = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loss);
        if (data.Count == 0) throw new ArgumentException("The dataset is empty.", nameof(data));
        if (loss.NeedsLabels && !data.HasLabels) throw new ArgumentException("The loss needs hard labels but the dataset has none.", nameof(data));
        if (loss.NeedsTeacher && teacherLogits is null) throw new ArgumentException("The loss needs teacher logits but none were given.", nameof(teacherLogits));
        if (teacherLogits is not null)
        {
            var shape = teacherLogits.shape;
            if (shape.Length != 2 || shape[0] != data.Count)
                throw new ArgumentException($"Teacher logits have shape [{string.Join(", ", shape)}]; expected [{data.Count}, classes].", nameof(teacherLogits));
        }
        if (validation is { HasLabels: false }) throw new ArgumentException("Validation data needs labels.", nameof(validation));

        torch.manual_seed(unchecked((long)_options.Seed));
        model.to(Device);
        // Teacher logits live where the student trains, gathered per batch there.
        using var logitsOnDevice = teacherLogits is null || teacherLogits.device == Device ? null : teacherLogits.to(Device);
        var targets = logitsOnDevice ?? teacherLogits;
        var plan = new BatchPlan(data.Count, Math.Min(_options.BatchSize, data.Count), shuffle: true, dropLast: false);
        var totalSteps = (long)plan.BatchesPerEpoch * _options.Epochs;
        if (_options.MaxSteps is { } budget) totalSteps = Math.Min(totalSteps, budget);
        using var optimizer = CreateOptimizer(model.parameters());
        var schedule = CreateSchedule(totalSteps);
        var assembler = new BatchAssembler(data);
        var stopwatch = Stopwatch.StartNew();
        long step = 0;
        var firstEpoch = 1;
        double epochLoss = 0;
        double? bestAccuracy = null;
        var epochsWithoutImprovement = 0;
        var stoppedEarly = false;
        var resumedFrom = 0;
        Dictionary<string, Tensor>? bestState = null;
        long samplesTrained = 0;

        if (_options.CheckpointPath is { } checkpoint && TrainingCheckpoint.TryLoad(checkpoint, model) is { } resumed)
        {
            (resumedFrom, step, bestAccuracy) = (resumed.EpochsCompleted, resumed.StepsCompleted, resumed.BestValidationAccuracy);
            firstEpoch = resumedFrom + 1;
        }

        model.train();
        try
        {
            for (var epoch = firstEpoch; epoch <= _options.Epochs && step < totalSteps; epoch++)
            {
                var batches = plan.Batches(_options.Seed, epoch - 1);
                var epochWatch = Stopwatch.StartNew();
                double lossSum = 0;
                long samples = 0;
                for (var b = 0; b < batches.Count && step < totalSteps; b++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var indices = batches[b];
                    var rate = schedule?.Apply(optimizer, step) ?? _options.LearningRate;
                    lossSum += TrainStep(model, optimizer, assembler, indices, targets, loss, Device, afterOptimizerStep) * indices.Length;
                    samples += indices.Length;
                    step++;
                    var last = b == batches.Count - 1 || step == totalSteps;
                    if (!last)
                    {
                        progress?.Report(new TrainingProgress(epoch, _options.Epochs, b + 1, batches.Count, lossSum / samples, rate,
                            samples / Math.Max(epochWatch.Elapsed.TotalSeconds, 1e-9), false));
                        continue;
                    }

                    epochLoss = lossSum / samples;
                    double? accuracy = validation is null ? null : Predictor.Accuracy(model, validation);
                    model.train();
                    if (accuracy is { } current)
                    {
                        if (bestAccuracy is null || current > bestAccuracy)
                        {
                            bestAccuracy = current;
                            epochsWithoutImprovement = 0;
                            if (_options.EarlyStoppingPatience > 0) bestState = Snapshot(model, bestState);
                        }
                        else
                        {
                            epochsWithoutImprovement++;
                        }
                    }
                    progress?.Report(new TrainingProgress(epoch, _options.Epochs, b + 1, batches.Count, epochLoss, rate,
                        samples / Math.Max(epochWatch.Elapsed.TotalSeconds, 1e-9), true, accuracy));
                    if (_options.CheckpointPath is { } path) TrainingCheckpoint.Save(path, model, epoch, step, bestAccuracy);
                }
                samplesTrained += samples;
                if (_options.EarlyStoppingPatience > 0 && epochsWithoutImprovement >= _options.EarlyStoppingPatience)
                {
                    stoppedEarly = true;
                    break;
                }
            }
            if (step >= totalSteps && _options.MaxSteps is not null && totalSteps < (long)plan.BatchesPerEpoch * _options.Epochs) stoppedEarly = true;
            if (bestState is not null) model.load_state_dict(bestState);
        }
        finally
        {
            model.eval();
            if (bestState is not null)
                foreach (var tensor in bestState.Values) tensor.Dispose();
        }
        stopwatch.Stop();
        return new TrainingSummary(_options.Epochs, step, epochLoss, stopwatch.Elapsed,
            samplesTrained / Math.Max(stopwatch.Elapsed.TotalSeconds, 1e-9), bestAccuracy, stoppedEarly, resumedFrom);
    }

    private static double TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, BatchAssembler assembler, int[] indices,
        Tensor? teacherLogits, IDistillationLoss loss, Device device, Action? afterOptimizerStep)
    {
        using var scope = torch.NewDisposeScope();
        var (features, labels) = assembler.Assemble(indices, device);
        Tensor? targets = null;
        if (teacherLogits is not null)
        {
            var index = torch.tensor(Array.ConvertAll(indices, i => (long)i), device: device);
            targets = teacherLogits.index_select(0, index);
        }
        var value = loss.Compute(model.forward(features), targets, labels);
        // Gradients set to none, not filled with zeros: backward then writes them instead of adding.
        model.zero_grad();
        value.backward();
        optimizer.step();
        afterOptimizerStep?.Invoke();
        return value.item<float>();
    }

    /// <summary>Copies the model's state (reusing the previous snapshot's storage) so early stopping can restore the best epoch.</summary>
    private static Dictionary<string, Tensor> Snapshot(nn.Module model, Dictionary<string, Tensor>? previous)
    {
        using var noGrad = torch.no_grad();
        if (previous is not null)
        {
            foreach (var (name, tensor) in model.state_dict()) previous[name].copy_(tensor);
            return previous;
        }
        return model.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.detach().clone().DetachFromDisposeScope());
    }

    private optim.Optimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters) => _options.Optimizer switch
    {
        // torch.optim's Adam and AdamW, bit for bit, with a step that frees its temporaries as it
        // goes (docs/benchmarks.md: a third of TorchSharp's step was heap churn).
        "adam" => new LeanAdam(parameters, _options.LearningRate, weight_decay: _options.WeightDecay),
        "adamw" => new LeanAdamW(parameters, _options.LearningRate, weight_decay: _options.WeightDecay),
        "sgd" => optim.SGD(parameters, _options.LearningRate, _options.Momentum, weight_decay: _options.WeightDecay,
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
