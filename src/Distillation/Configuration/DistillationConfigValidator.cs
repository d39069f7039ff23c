using System.Globalization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Checks a bound <see cref="DistillationConfig"/> against every rule a run depends on and returns
/// all problems at once, each naming its key path (<c>$.teachers[1].model.kind</c>) and what is
/// allowed. It reuses the library's own validators (<see cref="ModelFactory.Validate"/>,
/// <see cref="EnsembleOptions.Validate"/>, <see cref="PartitionerOptions.Validate"/>,
/// <see cref="TrainerOptions.Validate"/>, <see cref="Evaluation.EvaluationOptions.Validate"/>) and re-paths their messages.
/// </summary>
/// <remarks>Files the configuration names (TorchScript modules, checkpoints, the data directory) must exist; paths are relative to the working directory.</remarks>
public static class DistillationConfigValidator
{
    /// <summary>Every problem with <paramref name="config"/>; empty when it can be run.</summary>
    public static IReadOnlyList<string> Validate(DistillationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = new List<string>();
        if (config.Data is null || config.Teachers is null || config.Loss is null || config.Ensemble is null || config.Trainer is null
            || config.Evaluation is null || config.Output is null)
        {
            errors.Add("$: the sections data, teachers, loss, ensemble, trainer, evaluation and output must not be null.");
            return errors;
        }

        var dataset = ValidateData(config, errors);
        ValidateTeachers(config, dataset, errors);
        ValidateStudent(config.Student, dataset, errors);
        ValidateLoss(config.Loss, errors);
        ValidateEnsemble(config, errors);
        ValidateTrainer(config.Trainer, "$.trainer", errors);
        if (config.Trainer.EarlyStoppingPatience > 0 && config.Data.ValidationCount < 1)
            errors.Add(Invariant($"$.trainer.earlyStoppingPatience is {config.Trainer.EarlyStoppingPatience} but $.data.validationCount is {config.Data.ValidationCount}; early stopping needs validation examples, so set $.data.validationCount to at least 1 or earlyStoppingPatience to 0."));
        errors.AddRange(config.Evaluation.Validate().Select(error => ErrorPaths.Rewrite(error, "EvaluationOptions", "$.evaluation")));
        if (string.IsNullOrWhiteSpace(config.Output.Directory))
            errors.Add("$.output.directory is empty; give a directory path (default: artifacts/distill).");
        return errors;
    }

    private static DatasetInfo? ValidateData(DistillationConfig config, List<string> errors)
    {
        var data = config.Data;
        var dataset = DatasetCatalog.Find(data.Dataset);
        if (dataset is null)
            errors.Add($"$.data.dataset is '{data.Dataset}'; allowed: {string.Join(", ", DataConfig.Datasets)}.");
        if (data.Directory is { } directory)
        {
            if (string.IsNullOrWhiteSpace(directory)) errors.Add("$.data.directory is empty; leave it out to use the default location.");
            else if (!Directory.Exists(directory)) errors.Add($"$.data.directory '{directory}' does not exist.");
        }
        if (data.TrainLimit is < 1)
            errors.Add(Invariant($"$.data.trainLimit is {data.TrainLimit}; it must be at least 1, or left out to use every training example."));
        if (data.TestLimit is < 1)
            errors.Add(Invariant($"$.data.testLimit is {data.TestLimit}; it must be at least 1, or left out to use every test example."));
        if (data.PublicCount < 1)
            errors.Add(Invariant($"$.data.publicCount is {data.PublicCount}; it must be at least 1."));
        if (data.ValidationCount < 0)
            errors.Add(Invariant($"$.data.validationCount is {data.ValidationCount}; it must be at least 0."));
        else if (data.PublicCount >= 1 && data.ValidationCount > data.PublicCount)
            errors.Add(Invariant($"$.data.validationCount is {data.ValidationCount}; the validation examples are the labeled head of the public split, so it can be at most $.data.publicCount ({data.PublicCount})."));
        if (data.Partition is null)
        {
            errors.Add("$.data.partition must not be null; leave it out for an iid partition.");
            return dataset;
        }
        errors.AddRange(data.Partition.Validate().Select(error => ErrorPaths.Rewrite(error, nameof(PartitionerOptions), "$.data.partition")));

        if (dataset is not null && data.PublicCount >= 1 && data.TrainLimit is null or >= 1)
        {
            var available = Math.Min(data.TrainLimit ?? dataset.TrainCount, dataset.TrainCount);
            var where = data.TrainLimit is null ? "" : " (after $.data.trainLimit)";
            var trained = config.Teachers?.Count(teacher => teacher?.NeedsTraining() == true) ?? 0;
            var perTeacher = MinimumPartSize(data.Partition);
            var reserved = (long)trained * perTeacher;
            if (trained == 0 && data.PublicCount > available)
            {
                errors.Add(Invariant($"$.data.publicCount is {data.PublicCount} but {dataset.Name} has {available} training examples{where}; allowed: 1 to {available}."));
            }
            else if (trained > 0 && available - reserved < 1)
            {
                errors.Add(Invariant($"$.data.publicCount cannot fit: {dataset.Name} has {available} training examples{where} and the {trained} teachers trained here need at least {perTeacher} private examples each ({reserved} in all); raise $.data.trainLimit, lower $.data.partition.minPartSize, or use fewer teachers."));
            }
            else if (trained > 0 && data.PublicCount + reserved > available)
            {
                errors.Add(Invariant($"$.data.publicCount is {data.PublicCount} but {dataset.Name} has {available} training examples{where} and the {trained} teachers trained here need at least {perTeacher} private examples each; allowed: 1 to {available - reserved}."));
            }
        }
        return dataset;
    }

    /// <summary>The fewest private examples the partitioner can give one teacher.</summary>
    private static int MinimumPartSize(PartitionerOptions partition) => partition.Name?.Trim().ToLowerInvariant() switch
    {
        DirichletLabelSkewPartitioner.Name => Math.Max(1, partition.MinPartSize),
        ShardPartitioner.Name => Math.Max(1, partition.ShardsPerPart),
        _ => 1,
    };

    private static void ValidateTeachers(DistillationConfig config, DatasetInfo? dataset, List<string> errors)
    {
        if (config.Teachers.Count == 0)
        {
            errors.Add("$.teachers is empty; give at least one teacher (with 'model', 'model' and 'checkpoint', or 'torchScript').");
            return;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < config.Teachers.Count; i++)
        {
            var path = Invariant($"$.teachers[{i}]");
            var teacher = config.Teachers[i];
            if (teacher is null)
            {
                errors.Add($"{path} must be an object with 'id' and 'model' or 'torchScript'.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(teacher.Id))
                errors.Add($"{path}.id is missing or empty; every teacher needs a unique id.");
            else if (!ids.Add(teacher.Id))
                errors.Add($"{path}.id '{teacher.Id}' is already used by another teacher; ids must be unique.");

            if (teacher.Model is not null && teacher.TorchScript is not null)
                errors.Add($"{path} has both 'model' and 'torchScript'; give exactly one.");
            else if (teacher.Model is null && teacher.TorchScript is null)
                errors.Add($"{path} has neither 'model' nor 'torchScript'; give exactly one.");
            if (teacher.Model is not null) ValidateModel(teacher.Model, $"{path}.model", dataset, errors);
            if (teacher.TorchScript is not null) RequireFile(teacher.TorchScript, $"{path}.torchScript", errors);
            if (teacher.Checkpoint is not null)
            {
                if (teacher.Model is null)
                    errors.Add($"{path}.checkpoint applies only to a teacher given by 'model'; a TorchScript teacher is used as it is.");
                else
                    RequireFile(teacher.Checkpoint, $"{path}.checkpoint", errors);
            }
            if (teacher.Trainer is not null)
            {
                if (!teacher.NeedsTraining())
                {
                    errors.Add($"{path}.trainer applies only to a teacher trained here ('model' without 'checkpoint'); remove it.");
                }
                else
                {
                    ValidateTrainer(teacher.Trainer, $"{path}.trainer", errors);
                    if (teacher.Trainer.EarlyStoppingPatience != 0)
                        errors.Add(Invariant($"{path}.trainer.earlyStoppingPatience is {teacher.Trainer.EarlyStoppingPatience}; teachers train on private data without validation examples, allowed: 0."));
                }
            }
        }
    }

    private static void ValidateStudent(StudentConfig? student, DatasetInfo? dataset, List<string> errors)
    {
        if (student is null)
        {
            errors.Add("$.student is missing; give it 'model' (a network built here) or 'torchScript' (a PyTorch module to train).");
            return;
        }
        if (student.Model is not null && student.TorchScript is not null)
            errors.Add("$.student has both 'model' and 'torchScript'; give exactly one.");
        else if (student.Model is null && student.TorchScript is null)
            errors.Add("$.student has neither 'model' nor 'torchScript'; give exactly one.");
        if (student.Model is not null) ValidateModel(student.Model, "$.student.model", dataset, errors);
        if (student.TorchScript is not null) RequireFile(student.TorchScript, "$.student.torchScript", errors);
    }

    private static void ValidateModel(ModelSpec spec, string path, DatasetInfo? dataset, List<string> errors)
    {
        var problems = ModelFactory.Validate(spec, dataset?.ExampleShape);
        errors.AddRange(problems.Select(problem => ErrorPaths.Rewrite(problem, nameof(ModelSpec), path)));
        if (dataset is not null && problems.Count == 0 && spec.Classes != dataset.ClassCount)
            errors.Add(Invariant($"{path}.classes is {spec.Classes} but {dataset.Name} has {dataset.ClassCount} classes; allowed: {dataset.ClassCount}."));
    }

    private static void ValidateLoss(LossConfig loss, List<string> errors)
    {
        var known = LossConfig.Kinds.Contains(loss.Kind);
        if (!known) errors.Add($"$.loss.kind is '{loss.Kind}'; allowed: {string.Join(", ", LossConfig.Kinds)}.");
        if (!(loss.Temperature > 0) || double.IsInfinity(loss.Temperature))
            errors.Add(Invariant($"$.loss.temperature is {loss.Temperature}; it must be a positive finite number."));
        KindSetting(loss.Alpha, "alpha", "dkd", loss.Kind, known, NonNegative, errors);
        KindSetting(loss.Beta, "beta", "dkd", loss.Kind, known, NonNegative, errors);
        KindSetting(loss.DistanceWeight, "distanceWeight", "rkd", loss.Kind, known, NonNegative, errors);
        KindSetting(loss.AngleWeight, "angleWeight", "rkd", loss.Kind, known, NonNegative, errors);
        KindSetting(loss.LabelSmoothing, "labelSmoothing", "hard-labels", loss.Kind, known,
            value => value is >= 0 and < 1 ? null : "it must lie in [0, 1)", errors);
        if (loss.Kind == "rkd" && (loss.DistanceWeight ?? 25.0) == 0 && (loss.AngleWeight ?? 50.0) == 0)
            errors.Add("$.loss.distanceWeight and $.loss.angleWeight are both 0; the loss would be zero, so make at least one positive.");
    }

    private static string? NonNegative(double value) => value >= 0 && double.IsFinite(value) ? null : "it must be a finite number ≥ 0";

    private static void KindSetting(double? value, string key, string owner, string kind, bool known, Func<double, string?> check, List<string> errors)
    {
        if (value is not { } given) return;
        if (known && kind != owner)
            errors.Add($"$.loss.{key} applies only to kind '{owner}', not '{kind}'; remove it.");
        else if (check(given) is { } problem)
            errors.Add(Invariant($"$.loss.{key} is {given}; {problem}."));
    }

    private static void ValidateEnsemble(DistillationConfig config, List<string> errors)
    {
        var ensemble = config.Ensemble;
        var problems = ensemble.Validate();
        errors.AddRange(problems.Select(error => ErrorPaths.Rewrite(error, nameof(EnsembleOptions), "$.ensemble")));
        if (ensemble.Temperature > 0 && config.Loss.Temperature > 0 && ensemble.Temperature != config.Loss.Temperature)
            errors.Add(Invariant($"$.ensemble.temperature is {ensemble.Temperature} but $.loss.temperature is {config.Loss.Temperature}; they must be equal (docs/ensembles.md), so leave $.ensemble.temperature out and it follows the loss."));

        var name = ensemble.Name?.Trim().ToLowerInvariant();
        var teacherIds = config.Teachers.Where(teacher => teacher is not null).Select(teacher => teacher.Id).ToArray();
        var weights = ensemble.FixedWeights ?? new Dictionary<string, double>();
        if (name == FixedWeightsStrategy.StrategyName)
        {
            foreach (var id in teacherIds.Where(id => !weights.ContainsKey(id)))
                errors.Add($"$.ensemble.fixedWeights has no weight for teacher '{id}'; fixed-weights needs one per teacher.");
            foreach (var key in weights.Keys.Where(key => !teacherIds.Contains(key)))
                errors.Add($"$.ensemble.fixedWeights.{key} names no teacher; teachers: {string.Join(", ", teacherIds)}.");
        }
        else if (weights.Count > 0)
        {
            errors.Add($"$.ensemble.fixedWeights applies only to name '{FixedWeightsStrategy.StrategyName}', not '{ensemble.Name}'; remove it.");
        }
        if (name is AccuracyWeightedStrategy.StrategyName or PerClassWeightedStrategy.StrategyName && config.Data.ValidationCount < 1)
            errors.Add($"$.ensemble.name is '{name}', which weights teachers by their accuracy on the validation examples, but $.data.validationCount is {config.Data.ValidationCount}; set it to at least 1.");
    }

    private static void ValidateTrainer(TrainerOptions options, string path, List<string> errors)
    {
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            errors.Add(ErrorPaths.Rewrite(ErrorPaths.MessageOf(exception), nameof(TrainerOptions), path));
        }
    }

    private static void RequireFile(string file, string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(file)) errors.Add($"{path} is empty; give the path of a file.");
        else if (!File.Exists(file)) errors.Add($"{path}: no file at '{file}'.");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
