using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class HintLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher_with_identical_widths()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new HintLoss("conv1");
        var feature = tensor(Inputs.WaveSingle(2 * 3 * 4 * 4), [2, 3, 4, 4]);
        Assert.Equal(0.0, loss.Compute(feature, feature.clone()).ToDouble());
        Assert.Empty(loss.TrainableParameters);
    }

    [Fact]
    public void Equals_the_mean_squared_difference_by_hand()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new HintLoss("hidden");
        var student = tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var teacher = tensor(new float[] { 0, 2, 3, 6 }, [2, 2]);
        // (1² + 0 + 0 + 2²) / 4
        Assert.Equal(1.25, loss.Compute(student, teacher).ToDouble(), 6);
    }

    [Fact]
    public void Matches_pytorch_mse_without_a_regressor()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("hint_identity");
        using var loss = new HintLoss("conv1");
        LossAssert.Close(reference.Scalar("loss"), loss.Compute(reference.Tensor("student"), reference.Tensor("teacher")).ToDouble());
    }

    [Fact]
    public void Matches_pytorch_through_a_one_by_one_convolution_regressor_with_its_gradients()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("hint_conv_regressor");
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv1", studentChannels: 3, teacherChannels: 5);
        loss.Regressor!.load_state_dict(new Dictionary<string, Tensor> { ["weight"] = reference.Tensor("weight"), ["bias"] = reference.Tensor("bias") });

        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        value.backward();

        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
        var (weight, bias) = (loss.TrainableParameters[0], loss.TrainableParameters[1]);
        LossAssert.AllClose(reference.Values("grad_weight"), LossAssert.Values(weight.grad!), relative: 1e-4, absolute: 1e-6);
        LossAssert.AllClose(reference.Values("grad_bias"), LossAssert.Values(bias.grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Matches_pytorch_through_a_linear_regressor_for_vectors_with_its_gradients()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("hint_linear_regressor");
        using var loss = HintLoss.ForFeatureVectors("hidden", "hidden", studentWidth: 6, teacherWidth: 4);
        loss.Regressor!.load_state_dict(new Dictionary<string, Tensor> { ["weight"] = reference.Tensor("weight"), ["bias"] = reference.Tensor("bias") });

        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        value.backward();

        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
        LossAssert.AllClose(reference.Values("grad_weight"), LossAssert.Values(loss.TrainableParameters[0].grad!), relative: 1e-4, absolute: 1e-6);
        LossAssert.AllClose(reference.Values("grad_bias"), LossAssert.Values(loss.TrainableParameters[1].grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Regressor_parameters_and_student_receive_gradients_but_teacher_does_not()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv2", studentChannels: 3, teacherChannels: 6);
        var student = tensor(Inputs.WaveSingle(2 * 3 * 5 * 5), [2, 3, 5, 5]);
        student.requires_grad = true;
        var teacher = tensor(Inputs.WaveSingle(2 * 6 * 5 * 5, phase: 0.9), [2, 6, 5, 5]);
        teacher.requires_grad = true;

        loss.Compute(student, teacher).backward();

        Assert.Equal(2, loss.TrainableParameters.Count);
        Assert.Equal(loss.Regressor!.parameters(), loss.TrainableParameters);
        foreach (var parameter in loss.TrainableParameters)
        {
            Assert.True(parameter.requires_grad);
            Assert.True(parameter.grad!.norm().ToDouble() > 0, "a regressor parameter received no gradient");
        }
        Assert.True(student.grad!.norm().ToDouble() > 0);
        Assert.Null(teacher.grad);
    }

    [Fact]
    public void Picks_the_named_features_from_forward_passes()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new HintLoss("a", "b");
        var x = tensor(new float[] { 1, 2 }, [1, 2]);
        var y = tensor(new float[] { 1, 4 }, [1, 2]);
        var student = new FeatureOutput(x, new Dictionary<string, Tensor> { ["a"] = x, ["b"] = y });
        var teacher = new FeatureOutput(x, new Dictionary<string, Tensor> { ["a"] = x, ["b"] = y });
        // Student "a" = [1, 2] against teacher "b" = [1, 4]: (0 + 4) / 2.
        Assert.Equal(2.0, loss.Compute(student, teacher).ToDouble(), 6);
        Assert.Equal(["a"], loss.StudentFeatures);
        Assert.Equal(["b"], loss.TeacherFeatures);
    }

    [Fact]
    public void Mismatched_spatial_sizes_throw_an_argument_exception_naming_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv2", 16, 32);
        var student = zeros([2, 16, 14, 14]);
        var teacher = zeros([2, 32, 7, 7]);

        var error = Assert.Throws<ArgumentException>(() => loss.Compute(student, teacher));

        Assert.Contains("'conv1' [2, 16, 14, 14]", error.Message);
        Assert.Contains("'conv2' [2, 32, 7, 7]", error.Message);
        Assert.Contains("spatial", error.Message);
    }

    [Fact]
    public void Different_widths_without_a_regressor_throw_and_point_to_the_factories()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new HintLoss("hidden");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([4, 64]), zeros([4, 128])));
        Assert.Contains("[4, 64]", error.Message);
        Assert.Contains("[4, 128]", error.Message);
        Assert.Contains(nameof(HintLoss.ForFeatureVectors), error.Message);
    }

    [Fact]
    public void Widths_that_do_not_fit_the_regressor_throw_naming_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = HintLoss.ForFeatureVectors("hidden", "hidden", 64, 128);
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([4, 32]), zeros([4, 128])));
        Assert.Contains("[4, 32]", error.Message);
        Assert.Contains("64 to 128", error.Message);
    }

    [Fact]
    public void A_missing_feature_throws_listing_the_available_ones()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new HintLoss("conv3");
        var logits = zeros([1, 10]);
        var output = new FeatureOutput(logits, new Dictionary<string, Tensor> { ["conv1"] = zeros([1, 2, 3, 3]) });
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(output, output));
        Assert.Contains("'conv3'", error.Message);
        Assert.Contains("'conv1'", error.Message);
        Assert.Contains("'logits'", error.Message);
    }

    [Fact]
    public void Dispose_frees_the_regressor_parameters()
    {
        using var scope = torch.NewDisposeScope();
        var loss = HintLoss.ForFeatureVectors("hidden", "hidden", 3, 2);
        var parameters = loss.TrainableParameters;
        loss.Dispose();
        Assert.All(parameters, parameter => Assert.True(parameter.IsInvalid));
        Assert.Throws<ObjectDisposedException>(() => loss.Compute(zeros([1, 3]), zeros([1, 2])));
    }

    [Fact]
    public void Factories_reject_widths_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HintLoss.ForFeatureMaps("a", "b", 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => HintLoss.ForFeatureVectors("a", "b", 4, 0));
        Assert.Throws<ArgumentException>(() => new HintLoss(" "));
    }
}
