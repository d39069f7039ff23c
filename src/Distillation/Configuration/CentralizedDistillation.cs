using System.Diagnostics;
using System.Globalization;
using FedDistill.Distillation.Compute;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Ensembles;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Configuration;

/// <summary>
/// Centralized multi-teacher distillation from one <see cref="DistillationConfig"/>: loads and
/// splits the data, trains or loads each teacher and folds its public-set logits into the ensemble
/// (one teacher in memory at a time), distills the student on the unlabeled public set, evaluates
/// everything on the test set, and writes the student and its reports to the output directory.
/// </summary>
/// <remarks>
/// <para>The training set is shuffled with <see cref="DataConfig.Seed"/> and cut into the public
/// split (its first <see cref="DataConfig.ValidationCount"/> examples keep their labels for the
/// aggregator) and the private pool, which is partitioned among the teachers trained here.
/// Normalization (when <see cref="DistillationConfig.NormalizesFeatures"/>) is fitted on the
/// private pool. Teacher k is initialized from a seed derived from the data seed and k, so a
/// configuration reproduces its run.</para>
/// <para>Output: <c>student.safetensors</c> (the state dict) with <c>model.json</c> (its
/// model spec), or <c>student.pt</c> (TorchScript, when the student was one), <c>report.json</c> (the student's
/// <see cref="EvaluationReport"/>) and <c>report.txt</c> (<see cref="DistillationResult.ToTable"/>).</para>
/// <para>Not thread-safe, and it seeds libtorch's global generator: run one at a time.</para>
/// </remarks>
public sealed class CentralizedDistillation
{
    /// <summary>The student's state dict, written when the student is built from a <see cref="ModelSpec"/>.</summary>
    public const string StudentStateFile = "student.safetensors";

    /// <summary>The student as TorchScript, written when the student was loaded from TorchScript.</summary>
    public const string StudentScriptFile = "student.pt";

    /// <summary>The student's evaluation report as JSON (<see cref="EvaluationReport.FromJson"/> reads it).</summary>
    public const string ReportJsonFile = "report.json";

    /// <summary>The run's summary and the student's report as text.</summary>
    public const string ReportTableFile = "report.txt";

    /// <summary>The student's <see cref="ModelSpec"/> as JSON, written beside <see cref="StudentStateFile"/>.</summary>
    public const string StudentModelFile = "model.json";

    private const string StudentName = "student";
    private const ulong StudentSeedStream = 99;
    private const ulong TeacherSeedStream = 100;
    private const ulong PartitionSeedStream = 1;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly DatasetInfo _dataset;

    /// <summary>Creates a run of <paramref name="config"/>, which is validated here.</summary>
    /// <exception cref="DistillationConfigException">The configuration is invalid; the exception lists every problem.</exception>
    public CentralizedDistillation(DistillationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var errors = DistillationConfigValidator.Validate(config);
        if (errors.Count > 0) throw new DistillationConfigException(errors);
        Config = config;
        _dataset = DatasetCatalog.Find(config.Data.Dataset)!;
    }

    /// <summary>The validated configuration.</summary>
    public DistillationConfig Config { get; }

    /// <summary>Runs the distillation from data loading to the written reports.</summary>
    /// <param name="stages">Receives one human-readable line per stage (data, each teacher, ensemble, student, files); may be null.</param>
    /// <param name="training">Wraps each model's training, e.g. with a progress display; null trains without reporting progress.</param>
    /// <param name="cancellationToken">Stops between teachers and between training steps.</param>
    /// <returns>The evaluations and the files written.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InvalidOperationException">A model does not fit the data (wrong number of logits, a TorchScript module that fails on the examples, a checkpoint that does not fit); the message names it.</exception>
    /// <exception cref="IOException">Data files are missing or unreadable, or the output cannot be written.</exception>
    public DistillationResult Run(IProgress<string>? stages = null, TrainingHost? training = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var host = training ?? ((_, train) => train(DiscardProgress.Instance));
        var data = PrepareData(stages);
        cancellationToken.ThrowIfCancellationRequested();

        var evaluator = new ModelEvaluator(Config.Evaluation);
        var strategy = EnsembleStrategyFactory.Create(Config.Ensemble);
        using var publicEnsemble = strategy.Begin(data.PublicSet.Count, _dataset.ClassCount);
        using var testEnsemble = strategy.Begin(data.Test.Count, _dataset.ClassCount);
        var teacherReports = new List<EvaluationReport>();
        var part = 0;
        for (var k = 0; k < Config.Teachers.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var teacher = Config.Teachers[k];
            int? teacherPart = teacher.NeedsTraining() ? part++ : null;
            using var model = BuildTeacher(teacher, k, data, teacherPart, host, stages, cancellationToken);
            var report = FoldTeacher(teacher.Id, model, data, evaluator, publicEnsemble, testEnsemble);
            teacherReports.Add(report);
            stages?.Report($"Teacher {teacher.Id}: {DistillationResultTable.Summary(report)}");
        }

        using var ensembleLogits = publicEnsemble.Finish();
        using var testEnsembleLogits = testEnsemble.Finish();
        var ensembleReport = evaluator.FromLogits("ensemble", testEnsembleLogits, data.Test.Labels!, data.Test.ClassNames);
        stages?.Report(string.Create(Invariant,
            $"Ensemble: {strategy.Name} of {Config.Teachers.Count} teachers (T = {Config.Ensemble.Temperature}), test accuracy {ensembleReport.Accuracy:F4}"));

        cancellationToken.ThrowIfCancellationRequested();
        using var student = BuildStudent(data);
        var summary = TrainStudent(student, data, ensembleLogits, host, stages, cancellationToken);
        var studentReport = evaluator.Evaluate(StudentName, student, data.Test, testEnsembleLogits, teacherReports);
        var agreement = studentReport.EnsembleAgreement?.AgreementRate;
        stages?.Report($"Student: {DistillationResultTable.Summary(studentReport)}" +
            (agreement is { } rate ? string.Create(Invariant, $", agrees with the ensemble on {rate:P1} of test examples") : ""));

        var directory = Path.GetFullPath(Config.Output.Directory);
        Directory.CreateDirectory(directory);
        var files = SaveStudent(student, directory);
        var jsonPath = Path.Combine(directory, ReportJsonFile);
        File.WriteAllText(jsonPath, studentReport.ToJson());
        files.Add(jsonPath);
        var tablePath = Path.Combine(directory, ReportTableFile);
        files.Add(tablePath);
        watch.Stop();
        var result = new DistillationResult(studentReport, teacherReports, ensembleReport, summary, files, watch.Elapsed);
        File.WriteAllText(tablePath, result.ToTable());
        stages?.Report($"Wrote {string.Join(", ", files)}");
        return result;
    }

    private PreparedData PrepareData(IProgress<string>? stages)
    {
        var settings = Config.Data;
        var (train, test) = DatasetCatalog.Load(_dataset, settings.Directory, settings.Seed);
        if (settings.TrainLimit is { } trainLimit && trainLimit < train.Count) train = train.Subset(Enumerable.Range(0, trainLimit).ToArray());
        if (settings.TestLimit is { } testLimit && testLimit < test.Count) test = test.Subset(Enumerable.Range(0, testLimit).ToArray());
        var trained = Config.Teachers.Count(teacher => teacher.NeedsTraining());
        if (settings.PublicCount + trained > train.Count)
            throw new InvalidOperationException(string.Create(Invariant,
                $"{_dataset.Name} has {train.Count} training examples, too few for a public split of {settings.PublicCount} and {trained} teachers to train."));

        var split = DatasetSplitter.Split(train, settings.PublicCount, train.Count - settings.PublicCount, 0, settings.Seed);
        var publicLabeled = split.PublicSet;
        var privatePool = split.PrivateSet;
        var normalization = settings.Normalize is null && !Config.NormalizesFeatures()
            ? "features not normalized: TorchScript models get the data set's own scale; set data.normalize to true for modules trained on normalized inputs"
            : "features not normalized";
        if (Config.NormalizesFeatures())
        {
            var fitOn = privatePool.Count > 0 ? privatePool : publicLabeled;
            IFeatureTransform transform = train.ExampleShape.Count == 3 ? GlobalNormalization.Fit(fitOn) : FeatureStandardization.Fit(fitOn);
            publicLabeled = transform.Apply(publicLabeled);
            privatePool = transform.Apply(privatePool);
            test = transform.Apply(test);
            normalization = transform is GlobalNormalization global
                ? string.Create(Invariant, $"normalized with mean {global.Mean:F4} and standard deviation {global.StandardDeviation:F4} of the {(privatePool.Count > 0 ? "private pool" : "public split")}")
                : $"standardized per feature on the {(privatePool.Count > 0 ? "private pool" : "public split")}";
        }

        var validation = settings.ValidationCount > 0 ? publicLabeled.Subset(Enumerable.Range(0, settings.ValidationCount).ToArray()) : null;
        IReadOnlyList<int[]> parts = trained == 0
            ? []
            : PartitionerFactory.Create(settings.Partition).Partition(privatePool.Labels!, privatePool.ClassCount, trained,
                new DeterministicRandom(DeterministicRandom.DeriveSeed(settings.Seed, PartitionSeedStream)));
        stages?.Report(string.Create(Invariant,
            $"Data: {_dataset.Name}, {train.Count} training examples: {publicLabeled.Count} public ({validation?.Count ?? 0} of them labeled for validation), {privatePool.Count} private; {test.Count} test examples; {normalization}"));
        if (trained > 0)
            stages?.Report(string.Create(Invariant,
                $"Partition: {settings.Partition.Name} of the private pool into {trained} parts of {string.Join(", ", parts.Select(indices => indices.Length))} examples"));
        return new PreparedData(publicLabeled.WithoutLabels(), validation, privatePool, parts, test, normalization);
    }

    private nn.Module<Tensor, Tensor> BuildTeacher(TeacherConfig teacher, int index, PreparedData data, int? part, TrainingHost host, IProgress<string>? stages,
        CancellationToken cancellationToken)
    {
        if (teacher.TorchScript is { } script)
        {
            var loaded = LoadScript(script, $"Teacher '{teacher.Id}'");
            stages?.Report(string.Create(Invariant, $"Teacher {teacher.Id}: TorchScript module {script} ({loaded.ParameterCount():N0} parameters), used as it is"));
            return loaded;
        }

        torch.manual_seed(unchecked((long)DeterministicRandom.DeriveSeed(Config.Data.Seed, TeacherSeedStream + (ulong)index)));
        var spec = teacher.Model!;
        var model = ModelFactory.Create(spec, _dataset.ExampleShape);
        try
        {
            if (teacher.Checkpoint is { } checkpoint)
            {
                try
                {
                    ModelFiles.LoadWeights(model, checkpoint);
                }
                catch (Exception exception) when (exception is InvalidDataException or IOException)
                {
                    throw new InvalidOperationException($"Teacher '{teacher.Id}': the checkpoint '{checkpoint}' does not fit its {spec.Kind} model: {exception.Message}", exception);
                }
                stages?.Report(string.Create(Invariant, $"Teacher {teacher.Id}: {spec.Kind} ({model.ParameterCount():N0} parameters) loaded from {checkpoint}"));
                return model;
            }

            var privateData = data.PrivatePool.Subset(data.Parts[part!.Value]);
            var classes = privateData.Labels!.Distinct().Count();
            stages?.Report(string.Create(Invariant,
                $"Teacher {teacher.Id}: {spec.Kind} ({model.ParameterCount():N0} parameters), training on {privateData.Count} private examples of {classes} classes"));
            var trainer = new Trainer(teacher.Trainer ?? new TrainerOptions());
            stages?.Report($"Teacher {teacher.Id}: training on {ComputeDevice.Describe(trainer.Device)}");
            host(teacher.Id, progress => trainer.Train(model, privateData, null, new CrossEntropyLoss(), progress, cancellationToken));
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Adds a teacher's public-set and test-set logits to the two ensembles and returns its test report.</summary>
    private EvaluationReport FoldTeacher(string id, nn.Module<Tensor, Tensor> teacher, PreparedData data, ModelEvaluator evaluator,
        IEnsembleAccumulator publicEnsemble, IEnsembleAccumulator testEnsemble)
    {
        using var publicLogits = Predict(teacher, data.PublicSet, $"Teacher '{id}'");
        using var testLogits = Predict(teacher, data.Test, $"Teacher '{id}'");
        double? validationAccuracy = null;
        double[]? perClassWeights = null;
        if (data.Validation is { } validation)
        {
            // The validation examples are the head of the public split, whose logits are at hand.
            using var validationLogits = publicLogits.narrow(0, 0, validation.Count);
            var validationReport = evaluator.FromLogits(id, validationLogits, validation.Labels!);
            validationAccuracy = validationReport.Accuracy;
            // A class absent from the validation examples says nothing about any teacher: equal weights.
            perClassWeights = validationReport.PerClass.Select(row => row.Accuracy ?? 1.0).ToArray();
        }

        publicEnsemble.Add(new TeacherContribution(id, publicLogits) { ValidationAccuracy = validationAccuracy, PerClassWeights = perClassWeights });
        testEnsemble.Add(new TeacherContribution(id, testLogits) { ValidationAccuracy = validationAccuracy, PerClassWeights = perClassWeights });
        var report = evaluator.FromLogits(id, testLogits, data.Test.Labels!, data.Test.ClassNames);
        return report with
        {
            ParameterCount = teacher.ParameterCount(),
            SizeOnDiskBytes = evaluator.Options.MeasureSize ? ModelEvaluator.SizeOnDisk(teacher) : null,
            Speed = evaluator.Options.MeasureSpeed ? evaluator.MeasureSpeed(teacher, data.Test) : null,
        };
    }

    private nn.Module<Tensor, Tensor> BuildStudent(PreparedData data)
    {
        var settings = Config.Student!;
        nn.Module<Tensor, Tensor> student;
        if (settings.TorchScript is { } script)
        {
            student = LoadScript(script, "The student");
        }
        else
        {
            torch.manual_seed(unchecked((long)DeterministicRandom.DeriveSeed(Config.Data.Seed, StudentSeedStream)));
            student = ModelFactory.Create(settings.Model!, _dataset.ExampleShape);
        }

        try
        {
            // One example through the student now, so a module that does not fit the data fails with a clear message before training.
            using var probe = Predict(student, data.PublicSet.Subset([0]), "The student");
            return student;
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }

    private TrainingSummary TrainStudent(nn.Module<Tensor, Tensor> student, PreparedData data, Tensor ensembleLogits, TrainingHost host, IProgress<string>? stages,
        CancellationToken cancellationToken)
    {
        var lossSettings = Config.Loss;
        var loss = lossSettings.Create();
        try
        {
            var kind = Config.Student!.TorchScript is { } script ? $"TorchScript module {script}" : Config.Student.Model!.Kind;
            stages?.Report(string.Create(Invariant,
                $"Student: {kind} ({student.ParameterCount():N0} parameters), distilled with {lossSettings.Describe()} on {data.PublicSet.Count} public examples"));
            var distiller = new StudentDistiller(Config.Trainer, loss, labelWithEnsemble: lossSettings.NeedsPseudoLabels);
            stages?.Report($"Student: training on {distiller.DeviceDescription}");
            return host(StudentName, progress => distiller.Distill(student, data.PublicSet, ensembleLogits, progress, cancellationToken, data.Validation));
        }
        finally
        {
            (loss as IDisposable)?.Dispose();
        }
    }

    /// <summary>Writes the student and returns the files written, the student's own first.</summary>
    private List<string> SaveStudent(nn.Module<Tensor, Tensor> student, string directory)
    {
        if (student is TorchScriptModel script)
        {
            var scriptPath = Path.Combine(directory, StudentScriptFile);
            script.Save(scriptPath);
            return [scriptPath];
        }

        var path = Path.Combine(directory, StudentStateFile);
        ModelFiles.SaveWeights(student, path);
        var specPath = Path.Combine(directory, StudentModelFile);
        ModelSpecFile.Write(Config.Student!.Model!, specPath);
        return [path, specPath];
    }

    private static TorchScriptModel LoadScript(string path, string role)
    {
        try
        {
            return TorchScriptModel.Load(path);
        }
        catch (InvalidDataException exception)
        {
            throw new InvalidOperationException($"{role}: cannot load '{path}' as TorchScript: {exception.Message}", exception);
        }
    }

    /// <summary>The model's logits on <paramref name="data"/>, checked to be [N, classes]; a model that fails on the examples is named in the error.</summary>
    private Tensor Predict(nn.Module<Tensor, Tensor> model, Dataset data, string role)
    {
        Tensor logits;
        try
        {
            logits = Predictor.PredictLogits(model, data, Config.Evaluation.BatchSize);
        }
        catch (ExternalException exception)
        {
            throw new InvalidOperationException(
                $"{role} fails on examples of shape [{string.Join(", ", data.ExampleShape)}] from {_dataset.Name}: {exception.Message}", exception);
        }

        var shape = logits.shape;
        if (shape.Length != 2 || shape[1] != _dataset.ClassCount)
        {
            logits.Dispose();
            throw new InvalidOperationException(
                $"{role} gives outputs of shape [{string.Join(", ", shape)}] for a batch of {data.Count}; {_dataset.Name} needs [{data.Count}, {_dataset.ClassCount}] logits.");
        }
        return logits;
    }

    /// <summary>A progress sink that drops every report.</summary>
    private sealed class DiscardProgress : IProgress<TrainingProgress>
    {
        public static DiscardProgress Instance { get; } = new();

        public void Report(TrainingProgress value)
        {
        }
    }
}
