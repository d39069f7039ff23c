using System.Net;
using System.Text.Json;
using FedDistill.Distillation.Models;
using FedDistill.Serving.Students;
using FedDistill.Serving.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Serving.Tests.Students;

/// <summary>
/// <see cref="TorchSharpStudentModel"/>: a student written as <c>student.safetensors</c> with
/// <c>model.json</c> beside it loads into the right architecture and example shape, and answers —
/// directly and over HTTP, under concurrent requests — exactly what its module computes.
/// </summary>
public sealed class TorchSharpStudentModelTests
{
    // model.json as `students export` writes it (the web defaults: every member, nulls included) and
    // as `distill` writes it (configuration JSON: nulls left out); both must load.
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions DistillJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    [Fact]
    public void An_mlp_student_loads_with_its_input_width_from_the_weights_and_answers_like_its_module()
    {
        using var directory = new TemporaryDirectory();
        var spec = new ModelSpec { Kind = "mlp", HiddenWidths = [8], Classes = 3 };
        using var module = Write(directory, spec, [30], ExportJson);

        var (student, loaded) = TorchSharpStudentModel.Load(directory.File("student.safetensors"));
        using (student)
        {
            Assert.Equal(spec.Kind, loaded.Kind);
            Assert.Equal([30L], student.ExampleShape);
            Assert.Equal(3, student.Classes);
            var batch = RandomBatch(5, 30);
            AssertClose(Forward(module, batch, [5, 30]), student.Predict(batch, 5));
        }
    }

    [Fact]
    public void A_small_cnn_student_takes_images_of_its_spec_geometry()
    {
        using var directory = new TemporaryDirectory();
        var spec = new ModelSpec { Kind = "small-cnn", Channels = [4, 8, 16], Classes = 10, ImageSize = 12, InputChannels = 3 };
        using var module = Write(directory, spec, [3, 12, 12], DistillJson);

        var (student, _) = TorchSharpStudentModel.Load(directory.File("student.safetensors"));
        using (student)
        {
            Assert.Equal([3L, 12, 12], student.ExampleShape);
            var batch = RandomBatch(3, 3 * 12 * 12);
            AssertClose(Forward(module, batch, [3, 3, 12, 12]), student.Predict(batch, 3));
            Assert.Throws<ArgumentException>(() => student.Predict(new float[3 * 12 * 12 + 1], 1));
        }
    }

    [Fact]
    public void A_missing_model_json_is_refused_naming_the_file()
    {
        using var directory = new TemporaryDirectory();
        using var module = Write(directory, new ModelSpec { Kind = "mlp", HiddenWidths = [4], Classes = 2 }, [6], ExportJson);
        File.Delete(directory.File("model.json"));

        var error = Assert.Throws<FileNotFoundException>(() => TorchSharpStudentModel.Load(directory.File("student.safetensors")));

        Assert.Contains("model.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weights_that_do_not_fit_the_spec_are_refused_with_the_tensors_that_differ()
    {
        using var directory = new TemporaryDirectory();
        using var module = Write(directory, new ModelSpec { Kind = "mlp", HiddenWidths = [4], Classes = 2 }, [6], ExportJson);
        File.WriteAllText(directory.File("model.json"), JsonSerializer.Serialize(new ModelSpec { Kind = "mlp", HiddenWidths = [5], Classes = 2 }, ExportJson));

        var error = Assert.Throws<InvalidDataException>(() => TorchSharpStudentModel.Load(directory.File("student.safetensors")));

        Assert.Contains("'layers.1.weight' is [4, 6], the model's is [5, 6]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_json_with_an_unknown_member_or_an_invalid_spec_is_refused()
    {
        using var directory = new TemporaryDirectory();
        using var module = Write(directory, new ModelSpec { Kind = "mlp", HiddenWidths = [4], Classes = 2 }, [6], ExportJson);

        File.WriteAllText(directory.File("model.json"), """{"kind": "mlp", "hiddenWidth": [4], "classes": 2}""");
        var unknown = Assert.Throws<InvalidDataException>(() => TorchSharpStudentModel.Load(directory.File("student.safetensors")));
        File.WriteAllText(directory.File("model.json"), """{"kind": "transformer", "classes": 2}""");
        var kind = Assert.Throws<InvalidDataException>(() => TorchSharpStudentModel.Load(directory.File("student.safetensors")));

        Assert.Contains("hiddenWidth", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("ModelSpec.Kind is 'transformer'", kind.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_refused()
    {
        using var directory = new TemporaryDirectory();
        File.WriteAllText(directory.File("student.pt"), "not a state dict");

        Assert.Throws<InvalidDataException>(() => TorchSharpStudentModel.Load(directory.File("student.pt")));
    }

    [Fact]
    public async Task A_TorchSharp_student_served_over_HTTP_answers_concurrent_requests_like_its_module()
    {
        using var directory = new TemporaryDirectory();
        using var module = Write(directory, new ModelSpec { Kind = "mlp", HiddenWidths = [16], Classes = 4 }, [10], ExportJson);
        var (student, _) = TorchSharpStudentModel.Load(directory.File("student.safetensors"));
        using (student)
        {
            await using var running = await RunningServer.StartAsync(student);
            var batches = Enumerable.Range(0, 16).Select(i => RandomBatch(1 + i % 3, 10, seed: i)).ToArray();

            var responses = await Task.WhenAll(batches.Select(batch =>
                running.Client.PostAsync("/v1/predict", Json.Inputs(batch.Chunk(10).ToArray()))));

            for (var i = 0; i < batches.Length; i++)
            {
                using var response = responses[i];
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var answer = await Json.ReadAsync(response);
                var expected = Forward(module, batches[i], [batches[i].Length / 10, 10]);
                AssertClose(expected, Json.Logits(answer).SelectMany(row => row).ToArray());
                var predictions = Json.Predictions(answer);
                for (var e = 0; e < predictions.Length; e++)
                    Assert.Equal(expected.Skip(e * 4).Take(4).ToList().IndexOf(expected.Skip(e * 4).Take(4).Max()), predictions[e]);
            }
        }
    }

    // Builds the spec's module, writes its weights and model.json into the directory; returns the module for reference values.
    private static nn.Module<Tensor, Tensor> Write(TemporaryDirectory directory, ModelSpec spec, int[] exampleShape, JsonSerializerOptions json)
    {
        var module = ModelFactory.Create(spec, exampleShape);
        module.eval();
        ModelFiles.SaveWeights(module, directory.File("student.safetensors"));
        File.WriteAllText(directory.File("model.json"), JsonSerializer.Serialize(spec, json));
        return module;
    }

    private static float[] Forward(nn.Module<Tensor, Tensor> module, float[] batch, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return module.forward(torch.tensor(batch, shape)).data<float>().ToArray();
    }

    private static float[] RandomBatch(int examples, int length, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, examples * length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"logit {i}: expected {expected[i]}, got {actual[i]}");
    }
}
