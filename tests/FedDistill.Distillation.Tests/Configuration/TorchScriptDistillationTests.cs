using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Distillation.Configuration;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Configuration;

/// <summary>
/// PyTorch → FedDistill → PyTorch: a TorchScript teacher and student made by
/// fixtures/make_torchscript_models.py take part in a distillation run, and PyTorch reads the
/// trained student back and computes what our libtorch computes.
/// </summary>
[Collection(TorchGlobalState.Name)]
public sealed class TorchScriptDistillationTests : IDisposable
{
    private const int Examples = 4;
    private readonly string _directory = Directory.CreateTempSubdirectory("feddistill-distill-jit-").FullName;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Configuration", "fixtures", name);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_torchscript_student_is_trained_in_place_saved_as_torchscript_and_pytorch_computes_the_same_logits()
    {
        var studentFixture = Fixture("student.pt");
        var fixtureHash = SHA256.HashData(File.ReadAllBytes(studentFixture));
        var output = Path.Combine(_directory, "out");
        var config = DistillationConfigLoader.Parse($$"""
            {
              "data": { "publicCount": 1000, "validationCount": 100, "trainLimit": 1500, "testLimit": 200, "seed": 5 },
              "teachers": [ { "id": "pytorch-teacher", "torchScript": {{Quote(Fixture("teacher.pt"))}} } ],
              "student": { "torchScript": {{Quote(studentFixture)}} },
              "trainer": { "epochs": 1, "batchSize": 32, "learningRate": 0.01 },
              "evaluation": { "measureSpeed": false },
              "output": { "directory": {{Quote(output)}} }
            }
            """);

        var trained = new List<string>();
        var result = new CentralizedDistillation(config).Run(training: (model, train) =>
        {
            trained.Add(model);
            return train(new RecordingProgress<FedDistill.Distillation.Training.TrainingProgress>());
        });

        var saved = Path.Combine(output, CentralizedDistillation.StudentScriptFile);
        Assert.Equal(saved, result.Files[0]);
        Assert.False(File.Exists(Path.Combine(output, CentralizedDistillation.StudentStateFile)));
        Assert.Equal(["student"], trained); // the TorchScript teacher is used as it is
        Assert.Equal(4 * 9 + 4 + 784 * 10 + 10, Assert.Single(result.Teachers).ParameterCount);
        Assert.Equal(784 * 16 + 16 + 16 * 10 + 10, result.Student.ParameterCount);
        Assert.Equal(fixtureHash, SHA256.HashData(File.ReadAllBytes(studentFixture))); // the input file is left alone

        var input = Inputs();
        var inputPath = Path.Combine(_directory, "inputs.json");
        File.WriteAllText(inputPath, JsonSerializer.Serialize(new { shape = new[] { Examples, 1, 28, 28 }, data = input }));
        float[] ours;
        float[] untrained;
        using (var trainedStudent = TorchScriptModel.Load(saved))
            ours = Forward(trainedStudent, input);
        using (var original = TorchScriptModel.Load(studentFixture))
            untrained = Forward(original, input);
        Assert.True(ours.Zip(untrained).Max(pair => Math.Abs(pair.First - pair.Second)) > 1e-3, "training did not move the student's weights");

        const string script = """
            import json, sys, torch
            model = torch.jit.load(sys.argv[1])
            model.eval()
            spec = json.load(open(sys.argv[2]))
            x = torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])
            with torch.no_grad():
                y = model(x)
            print(json.dumps({"shape": list(y.shape), "data": y.reshape(-1).double().tolist()}))
            """;
        var stdout = await PythonRunner.RunAsync(script, [saved, inputPath], TimeSpan.FromSeconds(120));
        var fromPyTorch = JsonNode.Parse(stdout)!;
        Assert.Equal([Examples, 10], fromPyTorch["shape"]!.AsArray().Select(size => size!.GetValue<int>()));
        var theirs = fromPyTorch["data"]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
        Assert.Equal(ours.Length, theirs.Length);
        for (var i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - theirs[i]) <= 1e-4, $"logit {i}: ours {ours[i]}, PyTorch {theirs[i]}");
    }

    /// <summary>Four deterministic 28×28 inputs on the scale of normalized pixels.</summary>
    private static float[] Inputs() =>
        Enumerable.Range(0, Examples * 28 * 28).Select(i => (float)Math.Round(Math.Sin(0.37 * i) + 0.5 * Math.Cos(0.011 * i), 3)).ToArray();

    private static float[] Forward(nn.Module<Tensor, Tensor> model, float[] input)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(input, new long[] { Examples, 1, 28, 28 });
        return model.forward(x).data<float>().ToArray();
    }

    private static string Quote(string text) => JsonValue.Create(text).ToJsonString();
}
