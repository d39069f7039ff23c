using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Tests.Configuration;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Interop;

/// <summary>
/// The files that Interop/fixtures/make_interop_fixtures.py wrote with PyTorch 1.13, the SmallCnn
/// they fit, and PyTorch itself (through <see cref="PythonRunner"/>) for reading back what
/// FedDistill writes.
/// </summary>
internal static class InteropFixtures
{
    /// <summary>How far our logits may lie from PyTorch's (both float32 on the CPU).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>The fixture folder as copied next to the test assembly.</summary>
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Interop", "fixtures");

    /// <summary>The full path of fixture <paramref name="name"/>.</summary>
    public static string Fixture(string name) => Path.Combine(Folder, name);

    /// <summary>FedDistill's SmallCnn with the fixture's geometry: 1×28×28 images, channels 4 and 8, hidden 16, 10 classes.</summary>
    public static SmallCnn CreateSmallCnn() => new(inputChannels: 1, classes: 10, channels1: 4, channels2: 8, hiddenWidth: 16, imageSize: 28);

    /// <summary>The fixed input batch of small_cnn_logits.json, its shape, and PyTorch's logits for it.</summary>
    public static (float[] Input, long[] InputShape, double[] Logits, long[] LogitsShape) Reference { get; } = ReadReference();

    /// <summary>The module's logits for the fixture's input batch, in evaluation mode and without autograd.</summary>
    public static float[] Logits(nn.Module<Tensor, Tensor> model) => Logits(model, model.forward);

    /// <summary>The TorchScript module's logits for the fixture's input batch, in evaluation mode and without autograd.</summary>
    public static float[] Logits(jit.ScriptModule<Tensor, Tensor> module) => Logits(module, module.forward);

    private static float[] Logits(nn.Module module, Func<Tensor, Tensor> forward)
    {
        var (input, shape, _, logitsShape) = Reference;
        module.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var logits = forward(torch.tensor(input, shape));
        Assert.Equal(logitsShape, logits.shape);
        return logits.contiguous().data<float>().ToArray();
    }

    /// <summary>The largest absolute difference between two logit vectors of the same length.</summary>
    public static double MaxDifference(IReadOnlyList<float> ours, IReadOnlyList<double> theirs)
    {
        Assert.Equal(theirs.Count, ours.Count);
        return ours.Zip(theirs).Max(pair => Math.Abs(pair.First - pair.Second));
    }

    /// <summary>Asserts that every logit lies within <see cref="Tolerance"/> of PyTorch's, naming the first that does not.</summary>
    public static void AssertClose(IReadOnlyList<double> pytorch, IReadOnlyList<float> ours, string what)
    {
        Assert.Equal(pytorch.Count, ours.Count);
        for (var i = 0; i < ours.Count; i++)
            Assert.True(Math.Abs(ours[i] - pytorch[i]) <= Tolerance,
                string.Create(CultureInfo.InvariantCulture, $"{what}: logit {i} is {ours[i]} here and {pytorch[i]} in PyTorch."));
    }

    /// <summary>
    /// Runs <paramref name="body"/> in PyTorch 1.13 after a prelude that imports the fixture
    /// script's SmallCnn and read_safetensors and reads the fixture input batch (small_cnn_logits.json) as <c>x</c>; the
    /// body gets its own arguments as <c>args</c> and calls <c>emit(logits)</c> to report. Returns
    /// the logits PyTorch printed, flattened, after checking their shape.
    /// </summary>
    public static async Task<double[]> PyTorchLogitsAsync(string body, params string[] arguments)
    {
        const string prelude = """
            import json, sys
            sys.dont_write_bytecode = True
            sys.path.insert(0, sys.argv[1])
            import torch
            from make_interop_fixtures import SmallCnn, read_safetensors
            torch.set_num_threads(1)
            reference = json.load(open(sys.argv[1] + "/small_cnn_logits.json"))
            x = torch.tensor(reference["input"], dtype=torch.float32).reshape(reference["inputShape"])
            args = sys.argv[2:]
            def emit(logits):
                print(json.dumps({"shape": list(logits.shape), "data": logits.reshape(-1).double().tolist()}))

            """;
        var output = await PythonRunner.RunAsync(prelude + body, [Folder, .. arguments], TimeSpan.FromSeconds(180));
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.Equal(Reference.LogitsShape, result["shape"]!.AsArray().Select(size => size!.GetValue<long>()));
        return result["data"]!.AsArray().Select(value => value!.GetValue<double>()).ToArray();
    }

    private static (float[], long[], double[], long[]) ReadReference()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Fixture("small_cnn_logits.json")));
        var root = document.RootElement;
        long[] Shape(string name) => root.GetProperty(name).EnumerateArray().Select(size => size.GetInt64()).ToArray();
        var input = root.GetProperty("input").EnumerateArray().Select(value => (float)value.GetDouble()).ToArray();
        var logits = root.GetProperty("logits").EnumerateArray().Select(value => value.GetDouble()).ToArray();
        var inputShape = Shape("inputShape");
        var logitsShape = Shape("logitsShape");
        Assert.Equal(inputShape.Aggregate(1L, (product, size) => product * size), input.Length);
        Assert.Equal(logitsShape.Aggregate(1L, (product, size) => product * size), logits.Length);
        return (input, inputShape, logits, logitsShape);
    }
}
