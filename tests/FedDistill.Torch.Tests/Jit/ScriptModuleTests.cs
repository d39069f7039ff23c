using System.Text.Json;
using FedDistill.Torch.Jit;
using FedDistill.Torch.Optimizers;
using FedDistill.Torch.Tests.Reference;
using F = FedDistill.Torch.Nn.Functional;

namespace FedDistill.Torch.Tests.Jit;

public sealed class ScriptModuleTests
{
    [Fact]
    public void Forward_of_a_loaded_script_module_matches_pytorchs_output()
    {
        using var model = ScriptModule.Load(JitFixture.ConvClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        using var logits = model.Forward(input);
        TensorAssert.Close(JitFixture.Output("conv_classifier", "output"), logits, 1e-5);
    }

    [Fact]
    public void NamedParameters_of_a_script_module_are_pytorchs_names_in_order()
    {
        using var model = ScriptModule.Load(JitFixture.ConvClassifierPath);
        Assert.Equal(JitFixture.Names("conv_classifier", "parameter_names"), model.NamedParameters().Select(pair => pair.Key));
        Assert.Equal(new long[] { 4, 1, 3, 3 }, model.NamedParameters().First().Value.Shape);
        Assert.Equal(4 * 9 + 4 + 256 * 10 + 10, model.ParameterCount());
        Assert.All(model.Parameters(), parameter => Assert.True(parameter.RequiresGrad));
    }

    [Fact]
    public void ForwardAll_of_a_module_returning_a_dict_names_each_output()
    {
        using var model = ScriptModule.Load(JitFixture.FeatureClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        var outputs = model.ForwardAll(input);
        try
        {
            Assert.Equal(JitFixture.Names("feature_classifier", "output_names"), outputs.Select(output => output.Name));
            Assert.Equal(new[] { "features", "logits" }, outputs.Select(output => output.Name));
            TensorAssert.Close(JitFixture.Output("feature_classifier", "features"), outputs[0].Value, 1e-5);
            TensorAssert.Close(JitFixture.Output("feature_classifier", "logits"), outputs[1].Value, 1e-5);
        }
        finally
        {
            foreach (var output in outputs) output.Value.Dispose();
        }
    }

    [Fact]
    public void Forward_of_a_module_returning_a_dict_returns_the_logits()
    {
        using var model = ScriptModule.Load(JitFixture.FeatureClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        using var logits = model.Forward(input);
        TensorAssert.Close(JitFixture.Output("feature_classifier", "logits"), logits, 1e-5);
        Assert.Equal(JitFixture.Names("feature_classifier", "parameter_names"), model.NamedParameters().Select(pair => pair.Key));
    }

    [Fact]
    public void ForwardAll_of_a_module_returning_one_tensor_gives_one_unnamed_output()
    {
        using var model = ScriptModule.Load(JitFixture.ConvClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        var outputs = model.ForwardAll(input);
        using var only = Assert.Single(outputs).Value;
        Assert.Null(outputs[0].Name);
        Assert.Equal(new long[] { 2, 10 }, only.Shape);
    }

    [Fact]
    public async Task Adam_trains_a_script_module_and_pytorch_reads_the_saved_weights()
    {
        using var model = ScriptModule.Load(JitFixture.ConvClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        using var labels = Tensor.FromArray(JitFixture.Labels);
        using var optimizer = new Adam(model.Parameters(), learningRate: 0.01);

        var losses = new List<double>();
        for (var step = 0; step < 5; step++)
        {
            using var scope = DisposeScope.Enter();
            optimizer.ZeroGrad();
            var loss = F.CrossEntropy(model.Forward(input), labels);
            loss.Backward();
            optimizer.Step();
            losses.Add(loss.Item());
        }
        Assert.True(losses[^1] < losses[0], $"loss went {string.Join(" -> ", losses)}");

        using var trained = NoGradForward(model, input);
        var original = JitFixture.Output("conv_classifier", "output").Data;
        Assert.NotEqual(original[0], trained.ToArray<float>()[0]); // the weights really moved

        var directory = Directory.CreateTempSubdirectory("feddistill-jit-");
        try
        {
            var path = Path.Combine(directory.FullName, "trained.pt");
            model.Save(path);
            Assert.True(File.Exists(path));
            Assert.False(File.Exists(path + ".tmp"));

            const string script = """
                import json, sys, torch
                model = torch.jit.load(sys.argv[1])
                spec = json.load(open(sys.argv[2]))["input"]
                x = torch.tensor(spec["data"], dtype=torch.float32).reshape(spec["shape"])
                with torch.no_grad():
                    y = model(x)
                print(json.dumps({"shape": list(y.shape), "data": y.reshape(-1).double().tolist()}))
                """;
            var stdout = await PythonRunner.RunAsync(script, [path, JitFixture.FixturePath], TimeSpan.FromSeconds(120));
            var fromPyTorch = ReferenceTensor.Parse(JsonDocument.Parse(stdout).RootElement);
            TensorAssert.Close(fromPyTorch, trained, 1e-5);

            // And our own loader reads back what we saved.
            using var reloaded = ScriptModule.Load(path);
            using var again = NoGradForward(reloaded, input);
            Assert.Equal(trained.ToArray<float>(), again.ToArray<float>());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadStateDict_writes_into_a_script_modules_own_parameters()
    {
        using var source = ScriptModule.Load(JitFixture.ConvClassifierPath);
        using var target = ScriptModule.Load(JitFixture.ConvClassifierPath);
        using (NoGradScope.Enter())
        {
            foreach (var parameter in source.Parameters())
            {
                using var constant = Tensor.Full(parameter.Shape, 0.01);
                parameter.CopyFrom(constant);
            }
        }
        target.LoadStateDict(source.StateDict());

        using var input = JitFixture.Input.ToTensor();
        using var expected = NoGradForward(source, input);
        using var actual = NoGradForward(target, input);
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
        Assert.NotEqual(JitFixture.Output("conv_classifier", "output").Floats, actual.ToArray<float>());
    }

    [Fact]
    public void Backward_through_a_script_module_reaches_every_parameter()
    {
        using var model = ScriptModule.Load(JitFixture.FeatureClassifierPath);
        using var input = JitFixture.Input.ToTensor();
        using (var scope = DisposeScope.Enter())
        {
            model.Forward(input).Sum().Backward();
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            using var grad = parameter.Grad;
            Assert.True(grad is not null, $"{name} has no gradient");
            Assert.Equal(parameter.Shape, grad.Shape);
        }
        model.ZeroGrad();
        Assert.All(model.Parameters(), parameter => Assert.Null(parameter.Grad));
    }

    [Fact]
    public void Train_and_Eval_switch_a_script_modules_mode()
    {
        using var model = ScriptModule.Load(JitFixture.ConvClassifierPath);
        model.Eval();
        Assert.False(model.IsTraining);
        model.Train();
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void Loading_a_missing_file_throws_FileNotFoundException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feddistill-missing-{Guid.NewGuid():N}.pt");
        var error = Assert.Throws<FileNotFoundException>(() => ScriptModule.Load(path));
        Assert.Equal(path, error.FileName);
    }

    [Fact]
    public void Loading_a_file_that_is_not_torchscript_throws_TorchException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"feddistill-garbage-{Guid.NewGuid():N}.pt");
        File.WriteAllBytes(path, "this is not a TorchScript archive"u8.ToArray());
        try
        {
            Assert.Throws<TorchException>(() => ScriptModule.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Tensor NoGradForward(ScriptModule model, Tensor input)
    {
        using var noGrad = NoGradScope.Enter();
        return model.Forward(input);
    }
}
