using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Tests.Models;

/// <summary>
/// Parameter counts computed by hand below and confirmed with PyTorch: parameter_counts.py
/// builds the same networks and its output is committed as parameter_counts.txt.
/// </summary>
public sealed class ModelParameterCountTests
{
    [Fact]
    public void Mlp_784_256_128_10_has_235146_parameters()
    {
        // (784·256 + 256) + (256·128 + 128) + (128·10 + 10) = 200,960 + 32,896 + 1,290.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "mlp" }, [1, 28, 28]);
        Assert.Equal(235_146, model.ParameterCount());
    }

    [Fact]
    public void Mlp_on_table_rows_takes_its_input_width_from_the_example_shape()
    {
        // (30·256 + 256) + 32,896 + 1,290 = 7,936 + 34,186.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "mlp" }, [30]);
        Assert.Equal(42_122, model.ParameterCount());
    }

    [Fact]
    public void Default_small_cnn_has_206922_parameters()
    {
        // conv1 1·16·9 + 16 = 160; conv2 16·32·9 + 32 = 4,640; fc1 32·7·7·128 + 128 = 200,832; fc2 128·10 + 10 = 1,290.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "small-cnn" });
        Assert.Equal(206_922, model.ParameterCount());
    }

    [Fact]
    public void Small_cnn_for_colour_32_pixel_images_has_268650_parameters()
    {
        // conv1 3·16·9 + 16 = 448; conv2 4,640; fc1 32·8·8·128 + 128 = 262,272; fc2 1,290.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "small-cnn" }, [3, 32, 32]);
        Assert.Equal(268_650, model.ParameterCount());
    }

    [Fact]
    public void LeNet5_for_grey_28_pixel_images_has_61706_parameters()
    {
        // conv1 1·6·25 + 6 = 156; conv2 6·16·25 + 16 = 2,416; fc1 16·5·5·120 + 120 = 48,120;
        // fc2 120·84 + 84 = 10,164; fc3 84·10 + 10 = 850.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "lenet5" }, [1, 28, 28]);
        Assert.Equal(61_706, model.ParameterCount());
    }

    [Fact]
    public void LeNet5_for_colour_32_pixel_images_has_83126_parameters()
    {
        // conv1 3·6·25 + 6 = 456; conv2 2,416; fc1 16·6·6·120 + 120 = 69,240; fc2 10,164; fc3 850.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "lenet5" }, [3, 32, 32]);
        Assert.Equal(83_126, model.ParameterCount());
    }

    [Fact]
    public void ResNet20_for_colour_images_has_272474_parameters()
    {
        // stem 3·16·9 + 2·16 = 464; stage 1: 3 blocks of 2·(16·16·9) + 2·2·16 = 4,672 → 14,016;
        // stage 2: 16·32·9 + 32·32·9 + 4·32 + shortcut (16·32 + 2·32) = 14,528, plus 2 blocks of 18,560 → 51,648;
        // stage 3: 32·64·9 + 64·64·9 + 4·64 + shortcut (32·64 + 2·64) = 57,728, plus 2 blocks of 73,984 → 205,696;
        // fc 64·10 + 10 = 650. Total 464 + 14,016 + 51,648 + 205,696 + 650.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "resnet20" }, [3, 32, 32]);
        Assert.Equal(272_474, model.ParameterCount());
    }

    [Fact]
    public void ResNet20_for_grey_images_has_272186_parameters()
    {
        // Only the stem changes: 2·16·9 = 288 fewer weights.
        using var model = ResNetCifar.ResNet20(1, 10);
        Assert.Equal(272_186, model.ParameterCount());
    }

    [Fact]
    public void ResNet8_for_colour_images_has_78042_parameters()
    {
        // 464 + 4,672 + 14,528 + 57,728 + 650.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "resnet8" }, [3, 32, 32]);
        Assert.Equal(78_042, model.ParameterCount());
    }

    [Fact]
    public void ResNet8_of_double_width_for_grey_images_has_308074_parameters()
    {
        // stem 1·32·9 + 64 = 352; stage 1 2·(32·32·9) + 128 = 18,560; stage 2 32·64·9 + 64·64·9 + 256 + 32·64 + 128 = 57,728;
        // stage 3 64·128·9 + 128·128·9 + 512 + 64·128 + 256 = 230,144; fc 128·10 + 10 = 1,290.
        using var model = ModelFactory.Create(new ModelSpec { Kind = "resnet8", WidthMultiplier = 2 }, [1, 28, 28]);
        Assert.Equal(308_074, model.ParameterCount());
    }
}
