using FedDistill.Serving.Batching;
using FedDistill.Serving.Onnx;
using FedDistill.Serving.Students;
using FedDistill.Serving.Tests.Onnx;
using TorchSharp;

namespace FedDistill.Serving.Tests.Students;

[Collection(TorchGlobalState.Name)]
public sealed class OnnxStudentModelTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    /// <summary>An exported student served through the batcher answers each request with ONNX Runtime's logits for its own input.</summary>
    [Fact]
    public async Task An_onnx_student_behind_the_batcher_answers_each_request_with_its_own_logits()
    {
        using var module = ZooModels.Create("small-cnn", [1, 28, 28]);
        var path = directory.File("student.onnx");
        OnnxExporter.Export(module, [1, 28, 28], path, OnnxExportOptions.Float32);
        using var model = OnnxStudentModel.Load(path, intraOpThreads: 1);
        Assert.Equal([1L, 28, 28], model.ExampleShape);
        Assert.Equal(10, model.Classes);

        torch.manual_seed(5);
        var inputs = Enumerable.Range(0, 8).Select(_ => torch.rand(new long[] { 1, 1, 28, 28 }).data<float>().ToArray()).ToArray();
        await using var batcher = new DynamicBatcher(model, new BatchingOptions { MaxBatchSize = 8 });
        var answers = await Task.WhenAll(inputs.Select(input => batcher.PredictAsync(input, CancellationToken.None)));

        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = ZooModels.Logits(module, inputs[i], [1, 1, 28, 28]);
            Assert.Equal(expected, answers[i], (e, a) => Math.Abs(e - a) <= 1e-4);
        }
    }

    /// <summary>A file that is not an ONNX model is refused when it is opened, not when the first request arrives.</summary>
    [Fact]
    public void A_file_that_is_not_onnx_is_refused_when_opened()
    {
        var path = directory.File("not-a-model.onnx");
        File.WriteAllText(path, "hello");
        Assert.ThrowsAny<Exception>(() => OnnxStudentModel.Load(path));
    }
}
