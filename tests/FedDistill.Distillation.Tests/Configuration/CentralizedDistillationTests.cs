using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Tests.Configuration;

[Collection(TorchGlobalState.Name)]
public sealed class CentralizedDistillationTests(SmallDistillationRun run) : IClassFixture<SmallDistillationRun>
{
    [Fact]
    public void A_small_run_distills_a_student_that_beats_chance_by_far()
    {
        Assert.True(run.Result.Student.Accuracy > 0.5, $"student accuracy {run.Result.Student.Accuracy}");
        Assert.Equal(1000, run.Result.Student.ExampleCount);
        Assert.Equal(["a", "b"], run.Result.Teachers.Select(report => report.Name));
        Assert.All(run.Result.Teachers, teacher => Assert.True(teacher.Accuracy > 0.5, $"teacher {teacher.Name} accuracy {teacher.Accuracy}"));
        Assert.Equal(1, run.Result.StudentTraining.Epochs);
    }

    [Fact]
    public void A_run_writes_the_student_state_dict_and_both_reports()
    {
        string[] expected =
        [
            Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentStateFile),
            Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentModelFile),
            Path.Combine(run.OutputDirectory, CentralizedDistillation.ReportJsonFile),
            Path.Combine(run.OutputDirectory, CentralizedDistillation.ReportTableFile),
        ];
        Assert.Equal(expected, run.Result.Files);
        Assert.All(expected, file => Assert.True(File.Exists(file), file));
        Assert.Equal(expected.Order(), Directory.GetFiles(run.OutputDirectory).Order());
    }

    [Fact]
    public void Report_json_is_the_students_report_with_a_comparison_per_teacher()
    {
        var report = EvaluationReport.FromJson(File.ReadAllText(Path.Combine(run.OutputDirectory, CentralizedDistillation.ReportJsonFile)));

        Assert.Equal("student", report.Name);
        Assert.Equal(run.Result.Student.Accuracy, report.Accuracy);
        Assert.Equal(["a", "b"], report.Comparisons.Select(comparison => comparison.Teacher));
        Assert.Equal(report.Accuracy - run.Result.Teachers[0].Accuracy, report.Comparisons[0].AccuracyDifference, 12);
        Assert.NotNull(report.EnsembleAgreement);
        Assert.Null(report.Speed);
    }

    [Fact]
    public void Report_txt_lists_every_teacher_the_ensemble_and_the_student()
    {
        var text = File.ReadAllText(Path.Combine(run.OutputDirectory, CentralizedDistillation.ReportTableFile));

        Assert.Equal(run.Result.ToTable(), text);
        Assert.Contains("teacher a", text);
        Assert.Contains("teacher b", text);
        Assert.Contains("ensemble", text);
        Assert.Contains(run.Result.Student.ToTable(), text);
    }

    [Fact]
    public void The_student_state_dict_comes_with_its_model_spec_and_loads_into_that_model()
    {
        var path = Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentStateFile);
        var metadata = File.ReadAllText(Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentModelFile));
        var spec = JsonSerializer.Deserialize<ModelSpec>(metadata, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.Equal("small-cnn", spec.Kind);
        Assert.Equal([8, 16, 64], spec.Channels);
        using var model = ModelFactory.Create(spec, [1, 28, 28]);
        ModelFiles.LoadWeights(model, path);
        Assert.Equal(run.Result.Student.ParameterCount, model.ParameterCount());
    }

    [Fact]
    public void Each_model_is_trained_through_the_host_with_progress_reports()
    {
        Assert.Equal(["a", "b", "student"], run.TrainedModels);
        // 1,000 private images per teacher (an IID half of 2,000) in batches of 32, and 1,000 public images for the student.
        Assert.Equal(32, run.TrainingReports["a"].Count);
        Assert.Equal(32, run.TrainingReports["student"].Count);
        Assert.True(run.TrainingReports["student"][^1].EpochCompleted);
        Assert.NotNull(run.TrainingReports["student"][^1].ValidationAccuracy);
    }

    [Fact]
    public void Stage_messages_describe_the_data_each_teacher_the_ensemble_and_the_student()
    {
        var stages = run.Stages.Reports;

        Assert.StartsWith("Data: fashion-mnist, 3000 training examples: 1000 public (200 of them labeled for validation), 2000 private; 1000 test examples; normalized with mean ", stages[0]);
        Assert.Equal("Partition: iid of the private pool into 2 parts of 1000, 1000 examples", stages[1]);
        Assert.Equal("Teacher a: small-cnn (206,922 parameters), training on 1000 private examples of 10 classes", stages[2]);
        Assert.StartsWith("Teacher a: training on cpu (", stages[3]);
        Assert.StartsWith("Teacher a: test accuracy ", stages[4]);
        Assert.Contains(stages, line => line.StartsWith("Ensemble: mean-probabilities of 2 teachers (T = 4), test accuracy ", StringComparison.Ordinal));
        Assert.Contains("Student: small-cnn (52,138 parameters), distilled with kd (T = 4) on 1000 public examples", stages);
        Assert.StartsWith("Wrote ", stages[^1]);
    }

    [Fact]
    public void A_saved_student_serves_as_a_checkpoint_teacher_with_the_same_test_accuracy()
    {
        var output = Path.Combine(run.Directory, "from-checkpoint");
        var checkpoint = Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentStateFile);
        var config = DistillationConfigLoader.Parse($$"""
            {
              "data": {{SmallDistillationRun.DataSection}},
              "teachers": [ { "id": "previous", "model": { "kind": "small-cnn", "channels": [8, 16, 64] }, "checkpoint": {{Quote(checkpoint)}} } ],
              "student": { "model": { "kind": "mlp", "hiddenWidths": [16] } },
              "trainer": { "maxSteps": 1 },
              "evaluation": { "measureSpeed": false },
              "output": { "directory": {{Quote(output)}} }
            }
            """);

        var trained = new List<string>();
        var result = new CentralizedDistillation(config).Run(training: (model, train) => { trained.Add(model); return train(new RecordingProgress<FedDistill.Distillation.Training.TrainingProgress>()); });

        // Same data section, so the same split and normalization: the reloaded weights classify the test set exactly as before.
        Assert.Equal(run.Result.Student.Accuracy, Assert.Single(result.Teachers).Accuracy);
        Assert.Equal(run.Result.Student.ConfusionMatrix, result.Teachers[0].ConfusionMatrix);
        Assert.Equal(["student"], trained);
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_its_model_fails_naming_the_teacher()
    {
        var checkpoint = Path.Combine(run.OutputDirectory, CentralizedDistillation.StudentStateFile);
        var config = DistillationConfigLoader.Parse($$"""
            {
              "data": {{SmallDistillationRun.DataSection}},
              "teachers": [ { "id": "mismatched", "model": { "kind": "mlp" }, "checkpoint": {{Quote(checkpoint)}} } ],
              "student": { "model": { "kind": "mlp" } },
              "output": { "directory": {{Quote(Path.Combine(run.Directory, "never-written"))}} }
            }
            """);

        var error = Assert.Throws<InvalidOperationException>(() => new CentralizedDistillation(config).Run());

        Assert.StartsWith($"Teacher 'mismatched': the checkpoint '{checkpoint}' does not fit its mlp model: '{checkpoint}' is not a safetensors state dict that fits this model: ", error.Message);
        Assert.False(Directory.Exists(Path.Combine(run.Directory, "never-written")));
    }

    private static string Quote(string text) => JsonValue.Create(text).ToJsonString();
}
