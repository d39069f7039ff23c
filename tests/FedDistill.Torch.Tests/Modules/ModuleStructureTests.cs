using FedDistill.Torch.Nn;

namespace FedDistill.Torch.Tests.Modules;

public sealed class ModuleStructureTests
{
    [Fact]
    public void Sequential_names_parameters_by_layer_index_as_pytorch()
    {
        using var model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Assert.Equal(new[] { "0.weight", "0.bias", "2.weight", "2.bias" }, model.NamedParameters().Select(pair => pair.Key));
        Assert.Equal(new[] { "0", "1", "2" }, model.NamedChildren().Select(pair => pair.Key));
    }

    [Fact]
    public void Parameter_count_of_an_mlp_784_256_128_10_is_235146()
    {
        using var model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
        // 784·256 + 256 + 256·128 + 128 + 128·10 + 10
        Assert.Equal(235_146, model.ParameterCount());
    }

    [Fact]
    public void Nested_modules_get_dotted_names_and_buffers_appear_in_the_state_dict()
    {
        using var model = new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new Sequential(new Flatten(), new Linear(8, 3)));
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "2.1.weight", "2.1.bias" },
            model.NamedParameters().Select(pair => pair.Key));
        Assert.Equal(new[] { "1.running_mean", "1.running_var" }, model.NamedBuffers().Select(pair => pair.Key));
        Assert.Equal(8, model.StateDict().Count);
    }

    [Fact]
    public void Train_and_Eval_propagate_to_every_descendant()
    {
        var inner = new Dropout(0.5);
        var norm = new BatchNorm2d(2);
        using var model = new Sequential(norm, new Sequential(inner));
        Assert.True(model.IsTraining && norm.IsTraining && inner.IsTraining);
        model.Eval();
        Assert.False(model.IsTraining || norm.IsTraining || inner.IsTraining);
        model.Train();
        Assert.True(model.IsTraining && norm.IsTraining && inner.IsTraining);
    }

    [Fact]
    public void Dropout_is_the_identity_in_evaluation()
    {
        using var dropout = new Dropout(0.5);
        dropout.Eval();
        using var x = Tensor.Rand([1000]);
        using var y = dropout.Forward(x);
        Assert.Equal(x.ToArray<float>(), y.ToArray<float>());
    }

    [Fact]
    public void Dropout_in_training_zeroes_about_p_and_scales_the_rest_by_one_over_one_minus_p()
    {
        using var dropout = new Dropout(0.3);
        using var x = Tensor.Ones([20_000]);
        using var y = dropout.Forward(x);
        var values = y.ToArray<float>();
        var zeroFraction = values.Count(value => value == 0) / (double)values.Length;
        // Binomial standard error √(0.3·0.7/20000) ≈ 0.0032; allow five of them.
        Assert.InRange(zeroFraction, 0.284, 0.316);
        Assert.All(values.Where(value => value != 0), value => Assert.Equal(1 / 0.7f, value, 5));
    }

    [Fact]
    public void Dropout_rejects_a_probability_outside_zero_to_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(-0.1));
    }

    [Fact]
    public void BatchNorm2d_updates_running_statistics_in_training_but_not_in_evaluation()
    {
        using var norm = new BatchNorm2d(2);
        // Channel 0 holds 1..8, channel 1 holds 10 everywhere: batch means 4.5 and 10,
        // unbiased variances 6 (of 1..8) and 0.
        var values = new float[16];
        for (var n = 0; n < 2; n++)
            for (var i = 0; i < 4; i++)
            {
                values[n * 8 + i] = n * 4 + i + 1;
                values[n * 8 + 4 + i] = 10;
            }
        using var x = Tensor.FromArray(values, 2, 2, 2, 2);
        var runningMean = norm.NamedBuffers().Single(pair => pair.Key == "running_mean").Value;
        var runningVar = norm.NamedBuffers().Single(pair => pair.Key == "running_var").Value;

        using (var y = norm.Forward(x)) { }
        TensorAssert.Close([0.45, 1.0], runningMean, 1e-6);          // 0.9·0 + 0.1·mean
        TensorAssert.Close([0.9 + 0.6, 0.9], runningVar, 1e-6);      // 0.9·1 + 0.1·unbiased variance

        norm.Eval();
        using (var y = norm.Forward(x))
        {
            TensorAssert.Close([0.45, 1.0], runningMean, 1e-6);
            TensorAssert.Close([1.5, 0.9], runningVar, 1e-6);
            // Evaluation normalizes with the running statistics: (1 - 0.45) / √(1.5 + 1e-5) for the first element.
            Assert.Equal((1 - 0.45) / Math.Sqrt(1.5 + 1e-5), y.ToArray<float>()[0], 5);
        }
    }

    [Fact]
    public void LoadStateDict_copies_every_value_into_the_module()
    {
        using var source = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        using var target = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
        target.LoadStateDict(source.StateDict());
        foreach (var (name, tensor) in source.StateDict())
            Assert.Equal(tensor.ToArray<float>(), target.StateDict()[name].ToArray<float>());

        using var x = Tensor.Rand([4, 3]);
        using var expected = source.Forward(x);
        using var actual = target.Forward(x);
        Assert.Equal(expected.ToArray<float>(), actual.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_converts_the_dtype_of_float64_sources()
    {
        using var layer = new Linear(2, 1);
        using var weight = Tensor.FromArray(new double[] { 0.5, -1.5 }, 1, 2);
        using var bias = Tensor.FromArray(new double[] { 2 });
        layer.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = weight, ["bias"] = bias });
        Assert.Equal(DType.Float32, layer.Weight.DType);
        Assert.Equal(new float[] { 0.5f, -1.5f }, layer.Weight.ToArray<float>());
        Assert.Equal(new float[] { 2 }, layer.Bias!.ToArray<float>());
        Assert.True(layer.Weight.RequiresGrad);
    }

    [Fact]
    public void LoadStateDict_with_a_wrong_shape_names_the_key_and_changes_nothing()
    {
        using var layer = new Linear(3, 2);
        var weightBefore = layer.Weight.ToArray<float>();
        var biasBefore = layer.Bias!.ToArray<float>();
        using var bias = Tensor.Full([2], 7);          // fits: must not be written either
        using var weight = Tensor.Zeros([3, 2]);       // transposed shape
        var state = new Dictionary<string, Tensor> { ["bias"] = bias, ["weight"] = weight };

        var error = Assert.Throws<ArgumentException>(() => layer.LoadStateDict(state));
        Assert.Contains("'weight'", error.Message);
        Assert.Contains("[3, 2]", error.Message);
        Assert.Equal(weightBefore, layer.Weight.ToArray<float>());
        Assert.Equal(biasBefore, layer.Bias!.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_with_a_missing_key_names_it_and_changes_nothing()
    {
        using var model = new Sequential(new Linear(2, 2), new Linear(2, 1));
        var before = model.StateDict().ToDictionary(pair => pair.Key, pair => pair.Value.ToArray<float>());
        using var replacement = Tensor.Full([2, 2], 3);
        var state = new Dictionary<string, Tensor> { ["0.weight"] = replacement };

        var error = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("missing '0.bias'", error.Message);
        Assert.Contains("missing '1.weight'", error.Message);
        foreach (var (name, tensor) in model.StateDict())
            Assert.Equal(before[name], tensor.ToArray<float>());
    }

    [Fact]
    public void LoadStateDict_with_an_unexpected_key_throws_when_strict_and_loads_the_rest_when_not()
    {
        using var layer = new Linear(1, 1);
        using var weight = Tensor.Full([1, 1], 4);
        using var bias = Tensor.Full([1], 5);
        using var extra = Tensor.Zeros([1]);
        var state = new Dictionary<string, Tensor> { ["weight"] = weight, ["bias"] = bias, ["scale"] = extra };

        var error = Assert.Throws<ArgumentException>(() => layer.LoadStateDict(state));
        Assert.Contains("unexpected 'scale'", error.Message);
        layer.LoadStateDict(state, strict: false);
        Assert.Equal(new float[] { 4 }, layer.Weight.ToArray<float>());
        Assert.Equal(new float[] { 5 }, layer.Bias!.ToArray<float>());
    }

    [Fact]
    public void Dispose_frees_every_parameter_and_buffer()
    {
        var model = new Sequential(new Linear(2, 2), new BatchNorm2d(2));
        var tensors = model.StateDict().Values.ToList();
        model.Dispose();
        Assert.All(tensors, tensor => Assert.True(tensor.IsDisposed));
    }

    [Fact]
    public void Parameters_built_inside_a_dispose_scope_survive_it()
    {
        Linear layer;
        using (DisposeScope.Enter()) layer = new Linear(2, 2);
        using (layer)
        {
            Assert.All(layer.Parameters(), parameter => Assert.False(parameter.IsDisposed));
        }
    }

    [Fact]
    public void ZeroGrad_drops_every_parameter_gradient()
    {
        using var layer = new Linear(2, 1);
        using var x = Tensor.Ones([1, 2]);
        using (var y = layer.Forward(x))
        using (var loss = y.Sum()) loss.Backward();
        Assert.All(layer.Parameters(), parameter => { using var grad = parameter.Grad; Assert.NotNull(grad); });
        layer.ZeroGrad();
        Assert.All(layer.Parameters(), parameter => Assert.Null(parameter.Grad));
    }
}
