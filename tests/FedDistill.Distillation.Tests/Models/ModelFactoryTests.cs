using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Tests.Models;

public sealed class ModelFactoryTests
{
    [Fact]
    public void An_unknown_kind_is_rejected_with_the_allowed_kinds()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec { Kind = "resnet50" }));
        Assert.Contains("ModelSpec.Kind is 'resnet50'; allowed: mlp, small-cnn, lenet5, resnet8, resnet20", error.Message);
    }

    [Theory]
    [InlineData("mlp", typeof(Mlp))]
    [InlineData("small-cnn", typeof(SmallCnn))]
    [InlineData("lenet5", typeof(LeNet5))]
    [InlineData("ResNet8", typeof(ResNetCifar))]
    [InlineData("resnet20", typeof(ResNetCifar))]
    public void Each_kind_builds_its_network_and_kinds_ignore_case(string kind, Type expected)
    {
        using var model = ModelFactory.Create(new ModelSpec { Kind = kind });
        Assert.IsType(expected, model);
        Assert.IsAssignableFrom<IFeatureModel>(model);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_by_field_name()
    {
        var errors = ModelFactory.Validate(new ModelSpec { Kind = "lenet5", Classes = 0, Dropout = 1.5, HiddenWidths = [64], WidthMultiplier = 2 });
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("ModelSpec.Classes is 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelSpec.Dropout is 1.5; it must lie in [0, 1)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelSpec.HiddenWidths is set; it applies only to mlp", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelSpec.WidthMultiplier is 2; it applies only to resnet8 and resnet20", StringComparison.Ordinal));
    }

    [Fact]
    public void Dropout_is_rejected_for_the_mlp()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Create(new ModelSpec { Kind = "mlp", Dropout = 0.2 }));
        Assert.Contains("ModelSpec.Dropout is 0.2; mlp has no dropout", error.Message);
    }

    [Fact]
    public void Small_cnn_channels_must_be_three_positive_numbers()
    {
        var errors = ModelFactory.Validate(new ModelSpec { Kind = "small-cnn", Channels = [8, 16] });
        Assert.Equal("ModelSpec.Channels is [8, 16]; it must be three positive numbers: first conv channels, second conv channels, hidden width.", Assert.Single(errors));
    }

    [Fact]
    public void Lenet5_channels_must_be_four_positive_numbers()
    {
        var errors = ModelFactory.Validate(new ModelSpec { Kind = "lenet5", Channels = [6, 16, 120] });
        Assert.Equal("ModelSpec.Channels is [6, 16, 120]; for lenet5 it must be four positive numbers: first conv channels, second conv channels, first hidden width, second hidden width.", Assert.Single(errors));
        Assert.Equal("ModelSpec.Channels is set; it applies only to small-cnn and lenet5, not mlp.", Assert.Single(ModelFactory.Validate(new ModelSpec { Kind = "mlp", Channels = [6, 16, 120, 84] })));
    }

    [Fact]
    public void Lenet5_channels_set_the_layer_widths()
    {
        // conv1 3·25 + 3 = 78; conv2 8·3·25 + 8 = 608; fc1 8·5·5·50 + 50 = 10,050; fc2 50·20 + 20 = 1,020; fc3 20·10 + 10 = 210.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "lenet5", Channels = [3, 8, 50, 20] });
        Assert.Equal(11_966, model.ParameterCount());
        using var original = ModelFactory.Create(new ModelSpec { Kind = "lenet5", Channels = [6, 16, 120, 84] });
        using var byDefault = ModelFactory.Create(new ModelSpec { Kind = "lenet5" });
        Assert.Equal(byDefault.ParameterCount(), original.ParameterCount());
    }

    [Fact]
    public void Small_cnn_channels_set_the_layer_widths()
    {
        // conv1 1·8·9 + 8 = 80; conv2 8·4·9 + 4 = 292; fc1 4·7·7·5 + 5 = 985; fc2 5·10 + 10 = 60.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "small-cnn", Channels = [8, 4, 5] });
        Assert.Equal(1_417, model.ParameterCount());
    }

    [Fact]
    public void Geometry_that_disagrees_with_the_examples_is_rejected()
    {
        var errors = ModelFactory.Validate(new ModelSpec { Kind = "resnet8", InputChannels = 1, ImageSize = 28 }, [3, 32, 32]);
        Assert.Equal(
            ["ModelSpec.InputChannels is 1 but the examples have 3 channels (shape [3, 32, 32]).",
             "ModelSpec.ImageSize is 28 but the examples are 32 pixels high (shape [3, 32, 32])."],
            errors);
    }

    [Fact]
    public void Image_models_need_image_examples()
    {
        var error = Assert.Single(ModelFactory.Validate(new ModelSpec { Kind = "lenet5" }, [30]));
        Assert.Equal("ModelSpec.Kind is 'lenet5', which needs [channels, height, width] examples; the examples have shape [30].", error);
    }

    [Fact]
    public void Small_cnn_needs_an_image_side_divisible_by_four()
    {
        var error = Assert.Single(ModelFactory.Validate(new ModelSpec { Kind = "small-cnn", ImageSize = 30 }));
        Assert.Equal("ModelSpec.ImageSize is 30; small-cnn needs a side divisible by 4 (two 2×2 poolings).", error);
    }

    [Fact]
    public void A_valid_spec_has_no_errors()
    {
        Assert.Empty(ModelFactory.Validate(new ModelSpec { Kind = "resnet20", WidthMultiplier = 0.5, Dropout = 0.1 }, [3, 32, 32]));
    }
}
