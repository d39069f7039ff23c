using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Models;

[Collection(TorchGlobalState.Name)]
public sealed class ModelZooTests
{
    public static TheoryData<string, int, int> KindsAndInputs => new()
    {
        { "mlp", 1, 28 }, { "mlp", 3, 32 },
        { "small-cnn", 1, 28 }, { "small-cnn", 3, 32 },
        { "lenet5", 1, 28 }, { "lenet5", 3, 32 },
        { "resnet8", 1, 28 }, { "resnet8", 3, 32 },
        { "resnet20", 1, 28 }, { "resnet20", 3, 32 },
    };

    [Theory]
    [MemberData(nameof(KindsAndInputs))]
    public void Every_kind_maps_a_batch_of_images_to_one_row_of_logits_per_image(string kind, int channels, int size)
    {
        using var model = ModelFactory.Create(new ModelSpec { Kind = kind, Classes = 7 }, [channels, size, size]);
        using var scope = torch.NewDisposeScope();
        var logits = model.forward(torch.randn(new long[] { 2, channels, size, size }));
        Assert.Equal([2L, 7L], logits.shape);
    }

    [Theory]
    [MemberData(nameof(KindsAndInputs))]
    public void Forward_and_backward_give_a_nonzero_gradient_to_every_parameter(string kind, int channels, int size)
    {
        torch.manual_seed(42);
        using var model = ModelFactory.Create(new ModelSpec { Kind = kind, Classes = 10 }, [channels, size, size]);
        using var scope = torch.NewDisposeScope();
        var logits = model.forward(torch.randn(new long[] { 4, channels, size, size }));
        var loss = nn.functional.cross_entropy(logits, torch.tensor(new long[] { 0, 3, 7, 9 }));
        loss.backward();

        foreach (var (name, parameter) in model.named_parameters())
        {
            var gradient = parameter.grad;
            Assert.NotNull(gradient);
            Assert.Equal(parameter.shape, gradient.shape);
            Assert.True(gradient.norm().item<float>() > 0, $"{kind}: the gradient of '{name}' is zero.");
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndInputs))]
    public void Forward_with_features_gives_the_same_logits_as_forward(string kind, int channels, int size)
    {
        using var model = ModelFactory.Create(new ModelSpec { Kind = kind }, [channels, size, size]);
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(new long[] { 3, channels, size, size });
        var expected = model.forward(input).data<float>().ToArray();
        var output = ((IFeatureModel)model).ForwardWithFeatures(input);
        Assert.Equal(expected, output.Logits.data<float>().ToArray());
        Assert.Equal(((IFeatureModel)model).FeatureNames, output.Features.Keys);
    }

    [Fact]
    public void Forward_with_features_leaves_only_the_logits_and_features_in_the_callers_scope()
    {
        using var model = ResNetCifar.ResNet8(3, 10);
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(new long[] { 2, 3, 32, 32 });
        var before = scope.DisposablesCount;

        var output = model.ForwardWithFeatures(input);
        Assert.Equal(before + 1 + 4, scope.DisposablesCount);

        model.forward(input);
        Assert.Equal(before + 1 + 4 + 1, scope.DisposablesCount);
    }

    [Fact]
    public void Mlp_features_are_the_post_relu_activations_of_each_hidden_layer()
    {
        using var model = new Mlp(784, [256, 128], 10);
        using var scope = torch.NewDisposeScope();
        var output = model.ForwardWithFeatures(torch.randn(new long[] { 2, 1, 28, 28 }));

        Assert.Equal(["hidden0", "hidden1"], model.FeatureNames);
        Assert.Equal([2L, 256L], output.Features["hidden0"].shape);
        Assert.Equal([2L, 128L], output.Features["hidden1"].shape);
        Assert.All(output.Features.Values, feature => Assert.True(feature.min().item<float>() >= 0));
        // The last hidden activation is what the output layer sees: logits = h1·Wᵀ + b.
        var linear = model.LinearLayers[^1];
        var expected = nn.functional.linear(output.Features["hidden1"], linear.weight!, linear.bias).data<float>().ToArray();
        Assert.Equal(expected, output.Logits.data<float>().ToArray());
    }

    [Fact]
    public void A_linear_mlp_has_no_features()
    {
        using var model = new Mlp(4, [], 3);
        using var scope = torch.NewDisposeScope();
        var output = model.ForwardWithFeatures(torch.randn(new long[] { 5, 4 }));
        Assert.Empty(model.FeatureNames);
        Assert.Empty(output.Features);
        Assert.Equal([5L, 3L], output.Logits.shape);
    }

    [Fact]
    public void Mlp_keeps_its_state_dict_names()
    {
        using var model = new Mlp(784, [256, 128], 10);
        Assert.Equal(
            ["layers.1.weight", "layers.1.bias", "layers.3.weight", "layers.3.bias", "layers.5.weight", "layers.5.bias"],
            model.state_dict().Keys);
    }

    [Theory]
    [InlineData(28, 14, 5)]
    [InlineData(32, 16, 6)]
    public void LeNet5_features_have_the_shapes_of_its_pooled_maps_and_hidden_layers(int size, long firstSide, long secondSide)
    {
        using var model = new LeNet5(1, 10, size);
        using var scope = torch.NewDisposeScope();
        var output = model.ForwardWithFeatures(torch.randn(new long[] { 2, 1, size, size }));

        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], model.FeatureNames);
        Assert.Equal([2L, 6L, firstSide, firstSide], output.Features["conv1"].shape);
        Assert.Equal([2L, 16L, secondSide, secondSide], output.Features["conv2"].shape);
        Assert.Equal([2L, 120L], output.Features["fc1"].shape);
        Assert.Equal([2L, 84L], output.Features["fc2"].shape);
    }

    [Fact]
    public void ResNet_features_are_the_three_stage_maps_and_the_pooled_vector()
    {
        using var model = ResNetCifar.ResNet20(3, 10);
        using var scope = torch.NewDisposeScope();
        var output = model.ForwardWithFeatures(torch.randn(new long[] { 2, 3, 32, 32 }));

        Assert.Equal(["stage1", "stage2", "stage3", "pooled"], model.FeatureNames);
        Assert.Equal([2L, 16L, 32L, 32L], output.Features["stage1"].shape);
        Assert.Equal([2L, 32L, 16L, 16L], output.Features["stage2"].shape);
        Assert.Equal([2L, 64L, 8L, 8L], output.Features["stage3"].shape);
        Assert.Equal([2L, 64L], output.Features["pooled"].shape);
        // The pooled vector is the spatial mean of the last stage.
        var mean = output.Features["stage3"].mean(new long[] { 2L, 3L }).data<float>().ToArray();
        var pooled = output.Features["pooled"].data<float>().ToArray();
        for (var i = 0; i < mean.Length; i++) Assert.Equal(mean[i], pooled[i], 1e-5f);
    }

    [Fact]
    public void Features_are_part_of_the_autograd_graph()
    {
        using var model = ResNetCifar.ResNet8(1, 10);
        using var scope = torch.NewDisposeScope();
        var output = model.ForwardWithFeatures(torch.randn(new long[] { 2, 1, 28, 28 }));
        output.Features["stage1"].sum().backward();

        var parameters = model.named_parameters().ToDictionary(pair => pair.name, pair => pair.parameter);
        Assert.NotNull(parameters["conv1.weight"].grad);
        // Nothing after the first stage feeds stage1, so the classifier gets no gradient.
        Assert.Null(parameters["fc.weight"].grad);
    }

    [Fact]
    public void ResNet_depth_is_six_blocks_per_stage_plus_two()
    {
        using var resnet8 = ResNetCifar.ResNet8();
        using var resnet20 = ResNetCifar.ResNet20();
        Assert.Equal(8, resnet8.Depth);
        Assert.Equal(20, resnet20.Depth);
        Assert.Equal(1, resnet8.Stages[2].Count);
        Assert.Equal(3, resnet20.Stages[2].Count);
    }

    [Theory]
    [InlineData(1.0, 16, 32, 64)]
    [InlineData(0.5, 8, 16, 32)]
    [InlineData(2.0, 32, 64, 128)]
    public void ResNet_stage_widths_scale_with_the_width_multiplier(double multiplier, long first, long second, long third)
    {
        Assert.Equal([first, second, third], ResNetCifar.StageWidths(multiplier));
    }
}
