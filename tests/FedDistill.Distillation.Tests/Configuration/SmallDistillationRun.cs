using System.Text.Json.Nodes;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Training;

namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>
/// One small Fashion-MNIST distillation, run once for the tests that inspect it: 3,000 training
/// images (1,000 public, 200 of them labeled), two small-CNN teachers with one epoch each on an IID
/// half of the 2,000 private images, a narrow small-CNN student distilled for one epoch, 1,000 test
/// images, no speed measurement.
/// </summary>
public sealed class SmallDistillationRun : IDisposable
{
    public const string DataSection = """
        { "publicCount": 1000, "validationCount": 200, "trainLimit": 3000, "testLimit": 1000, "seed": 3 }
        """;

    public SmallDistillationRun()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("feddistill-distill-").FullName;
        OutputDirectory = Path.Combine(Directory, "out");
        var config = DistillationConfigLoader.Parse($$"""
            {
              "data": {{DataSection}},
              "teachers": [
                { "id": "a", "model": { "kind": "small-cnn" }, "trainer": { "epochs": 1, "batchSize": 32, "learningRate": 0.002, "seed": 1 } },
                { "id": "b", "model": { "kind": "small-cnn" }, "trainer": { "epochs": 1, "batchSize": 32, "learningRate": 0.002, "seed": 2 } }
              ],
              "student": { "model": { "kind": "small-cnn", "channels": [8, 16, 64] } },
              "loss": { "kind": "kd", "temperature": 4 },
              "ensemble": { "name": "mean-probabilities" },
              "trainer": { "epochs": 1, "batchSize": 32, "learningRate": 0.002, "schedule": "constant", "seed": 7 },
              "evaluation": { "measureSpeed": false },
              "output": { "directory": {{JsonValue.Create(OutputDirectory).ToJsonString()}} }
            }
            """);
        Result = new CentralizedDistillation(config).Run(Stages, (model, train) =>
        {
            TrainedModels.Add(model);
            var progress = new RecordingProgress<TrainingProgress>();
            var summary = train(progress);
            TrainingReports[model] = progress.Reports;
            return summary;
        });
    }

    public string Directory { get; }

    public string OutputDirectory { get; }

    public DistillationResult Result { get; }

    public RecordingProgress<string> Stages { get; } = new();

    public List<string> TrainedModels { get; } = [];

    public Dictionary<string, IReadOnlyList<TrainingProgress>> TrainingReports { get; } = [];

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
