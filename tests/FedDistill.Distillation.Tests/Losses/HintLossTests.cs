using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class HintLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher_with_identical_widths()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new HintLoss("conv1");
        var feature = Tensor.FromSpan<float>(Inputs.WaveSingle(2 * 3 * 4 * 4), [2, 3, 4, 4]);
        Assert.Equal(0.0, loss.Compute(feature, feature.Clone()).Item());
        Assert.Empty(loss.TrainableParameters);
    }

    [Fact]
    public void Equals_the_mean_squared_difference_by_hand()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new HintLoss("hidden");
        var student = Tensor.FromSpan<float>([1, 2, 3, 4], [2, 2]);
        var teacher = Tensor.FromSpan<float>([0, 2, 3, 6], [2, 2]);
        // (1² + 0 + 0 + 2²) / 4
        Assert.Equal(1.25, loss.Compute(student, teacher).Item(), 6);
    }

    [Fact]
    public void Matches_pytorch_mse_without_a_regressor()
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case("hint_identity");
        using var loss = new HintLoss("conv1");
        LossAssert.Close(reference.Scalar("loss"), loss.Compute(reference.Tensor("student"), reference.Tensor("teacher")).Item());
    }

    [Fact]
    public void Matches_pytorch_through_a_one_by_one_convolution_regressor_with_its_gradients()
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case("hint_conv_regressor");
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv1", studentChannels: 3, teacherChannels: 5);
        loss.Regressor!.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = reference.Tensor("weight"), ["bias"] = reference.Tensor("bias") });

        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        value.Backward();

        LossAssert.Close(reference.Scalar("loss"), value.Item());
        var (weight, bias) = (loss.TrainableParameters[0], loss.TrainableParameters[1]);
        LossAssert.AllClose(reference.Values("grad_weight"), LossAssert.Values(weight.Grad!), relative: 1e-4, absolute: 1e-6);
        LossAssert.AllClose(reference.Values("grad_bias"), LossAssert.Values(bias.Grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Matches_pytorch_through_a_linear_regressor_for_vectors_with_its_gradients()
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case("hint_linear_regressor");
        using var loss = HintLoss.ForFeatureVectors("hidden", "hidden", studentWidth: 6, teacherWidth: 4);
        loss.Regressor!.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = reference.Tensor("weight"), ["bias"] = reference.Tensor("bias") });

        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        value.Backward();

        LossAssert.Close(reference.Scalar("loss"), value.Item());
        LossAssert.AllClose(reference.Values("grad_weight"), LossAssert.Values(loss.TrainableParameters[0].Grad!), relative: 1e-4, absolute: 1e-6);
        LossAssert.AllClose(reference.Values("grad_bias"), LossAssert.Values(loss.TrainableParameters[1].Grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Regressor_parameters_and_student_receive_gradients_but_teacher_does_not()
    {
        using var scope = DisposeScope.Enter();
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv2", studentChannels: 3, teacherChannels: 6);
        var student = Tensor.FromSpan<float>(Inputs.WaveSingle(2 * 3 * 5 * 5), [2, 3, 5, 5]);
        student.RequiresGrad = true;
        var teacher = Tensor.FromSpan<float>(Inputs.WaveSingle(2 * 6 * 5 * 5, phase: 0.9), [2, 6, 5, 5]);
        teacher.RequiresGrad = true;

        loss.Compute(student, teacher).Backward();

        Assert.Equal(2, loss.TrainableParameters.Count);
        Assert.Equal(loss.Regressor!.Parameters(), loss.TrainableParameters);
        foreach (var parameter in loss.TrainableParameters)
        {
            Assert.True(parameter.RequiresGrad);
            Assert.True(parameter.Grad!.Norm().Item() > 0, "a regressor parameter received no gradient");
        }
        Assert.True(student.Grad!.Norm().Item() > 0);
        Assert.Null(teacher.Grad);
    }

    [Fact]
    public void Picks_the_named_features_from_forward_passes()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new HintLoss("a", "b");
        var x = Tensor.FromSpan<float>([1, 2], [1, 2]);
        var y = Tensor.FromSpan<float>([1, 4], [1, 2]);
        var student = new FeatureOutput(x, new Dictionary<string, Tensor> { ["a"] = x, ["b"] = y });
        var teacher = new FeatureOutput(x, new Dictionary<string, Tensor> { ["a"] = x, ["b"] = y });
        // Student "a" = [1, 2] against teacher "b" = [1, 4]: (0 + 4) / 2.
        Assert.Equal(2.0, loss.Compute(student, teacher).Item(), 6);
        Assert.Equal(["a"], loss.StudentFeatures);
        Assert.Equal(["b"], loss.TeacherFeatures);
    }

    [Fact]
    public void Mismatched_spatial_sizes_throw_an_argument_exception_naming_both_shapes()
    {
        using var scope = DisposeScope.Enter();
        using var loss = HintLoss.ForFeatureMaps("conv1", "conv2", 16, 32);
        var student = Tensor.Zeros([2, 16, 14, 14]);
        var teacher = Tensor.Zeros([2, 32, 7, 7]);

        var error = Assert.Throws<ArgumentException>(() => loss.Compute(student, teacher));

        Assert.Contains("'conv1' [2, 16, 14, 14]", error.Message);
        Assert.Contains("'conv2' [2, 32, 7, 7]", error.Message);
        Assert.Contains("spatial", error.Message);
    }

    [Fact]
    public void Different_widths_without_a_regressor_throw_and_point_to_the_factories()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new HintLoss("hidden");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([4, 64]), Tensor.Zeros([4, 128])));
        Assert.Contains("[4, 64]", error.Message);
        Assert.Contains("[4, 128]", error.Message);
        Assert.Contains(nameof(HintLoss.ForFeatureVectors), error.Message);
    }

    [Fact]
    public void Widths_that_do_not_fit_the_regressor_throw_naming_both_shapes()
    {
        using var scope = DisposeScope.Enter();
        using var loss = HintLoss.ForFeatureVectors("hidden", "hidden", 64, 128);
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([4, 32]), Tensor.Zeros([4, 128])));
        Assert.Contains("[4, 32]", error.Message);
        Assert.Contains("64 to 128", error.Message);
    }

    [Fact]
    public void A_missing_feature_throws_listing_the_available_ones()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new HintLoss("conv3");
        var logits = Tensor.Zeros([1, 10]);
        var output = new FeatureOutput(logits, new Dictionary<string, Tensor> { ["conv1"] = Tensor.Zeros([1, 2, 3, 3]) });
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(output, output));
        Assert.Contains("'conv3'", error.Message);
        Assert.Contains("'conv1'", error.Message);
        Assert.Contains("'logits'", error.Message);
    }

    [Fact]
    public void Dispose_frees_the_regressor_parameters()
    {
        using var scope = DisposeScope.Enter();
        var loss = HintLoss.ForFeatureVectors("hidden", "hidden", 3, 2);
        var parameters = loss.TrainableParameters;
        loss.Dispose();
        Assert.All(parameters, parameter => Assert.True(parameter.IsDisposed));
        Assert.Throws<ObjectDisposedException>(() => loss.Compute(Tensor.Zeros([1, 3]), Tensor.Zeros([1, 2])));
    }

    [Fact]
    public void Factories_reject_widths_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HintLoss.ForFeatureMaps("a", "b", 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => HintLoss.ForFeatureVectors("a", "b", 4, 0));
        Assert.Throws<ArgumentException>(() => new HintLoss(" "));
    }
}
