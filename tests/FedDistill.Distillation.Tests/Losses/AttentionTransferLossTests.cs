using FedDistill.Distillation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class AttentionTransferLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new AttentionTransferLoss("conv2");
        var feature = tensor(Inputs.WaveSingle(2 * 4 * 5 * 5), [2, 4, 5, 5]);
        Assert.True(loss.Compute(feature, feature.clone()).ToDouble() < 1e-9);
    }

    [Fact]
    public void Is_zero_when_the_teacher_is_a_scaled_copy_with_the_channels_repeated()
    {
        // The channel mean of A² is unchanged by repeating channels, and normalization removes
        // the scale: the attention maps are equal although the features' widths differ.
        using var scope = torch.NewDisposeScope();
        var loss = new AttentionTransferLoss("conv2");
        var student = tensor(Inputs.WaveSingle(2 * 3 * 4 * 4, phase: 0.6), [2, 3, 4, 4]);
        var teacher = cat([student, student], 1).mul(3.0);
        Assert.True(loss.Compute(student, teacher).ToDouble() < 1e-8);
    }

    [Fact]
    public void Equals_the_hand_computed_value_on_one_two_channel_example()
    {
        // Student channels [1, 2] and [1, 2]: channel mean of squares [1, 4], map [1, 4]/√17.
        // Teacher channel [2, 1]: map [4, 1]/√17. Mean squared difference (9 + 9)/17/2 = 9/17,
        // times β/2 = 500.
        using var scope = torch.NewDisposeScope();
        var loss = new AttentionTransferLoss("conv1");
        var student = tensor(new double[] { 1, 2, 1, 2 }, [1, 2, 1, 2]);
        var teacher = tensor(new double[] { 2, 1 }, [1, 1, 1, 2]);

        LossAssert.Close(500.0 * 9 / 17, loss.Compute(student, teacher).ToDouble(), relative: 1e-12, absolute: 1e-12);
        LossAssert.AllClose([1 / Math.Sqrt(17), 4 / Math.Sqrt(17)], LossAssert.Values(loss.AttentionMap(student)), relative: 1e-12, absolute: 1e-12);
    }

    [Fact]
    public void Matches_pytorch_for_attention_map_value_and_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("attention_transfer");
        var loss = new AttentionTransferLoss("conv1", beta: reference.Number("beta"), power: reference.Number("power"));
        var student = reference.Tensor("student");
        student.requires_grad = true;

        var value = loss.Compute(student, reference.Tensor("teacher"));
        value.backward();

        LossAssert.AllClose(reference.Values("attention_student"), LossAssert.Values(loss.AttentionMap(student)));
        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Pools_the_larger_map_to_the_smaller_size_as_mdistiller_does()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("attention_transfer_pooled");
        var loss = new AttentionTransferLoss("conv1", "conv2", reference.Number("beta"), reference.Number("power"));
        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
    }

    [Fact]
    public void Mismatched_batch_sizes_throw_an_argument_exception_naming_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new AttentionTransferLoss("conv1", "conv2");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([2, 16, 14, 14]), zeros([3, 32, 14, 14])));
        Assert.Contains("'conv1' [2, 16, 14, 14]", error.Message);
        Assert.Contains("'conv2' [3, 32, 14, 14]", error.Message);
    }

    [Fact]
    public void Feature_vectors_are_rejected_naming_their_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new AttentionTransferLoss("hidden");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([2, 128]), zeros([2, 128])));
        Assert.Contains("[2, 128]", error.Message);
    }

    [Theory]
    [InlineData(-1.0, 2.0, "beta")]
    [InlineData(double.NaN, 2.0, "beta")]
    [InlineData(1000.0, 0.0, "power")]
    [InlineData(1000.0, double.PositiveInfinity, "power")]
    public void Rejects_out_of_range_hyper_parameters_naming_the_parameter(double beta, double power, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new AttentionTransferLoss("conv1", beta: beta, power: power));
        Assert.Equal(parameter, error.ParamName);
    }
}
