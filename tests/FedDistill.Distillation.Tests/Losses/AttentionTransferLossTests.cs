using FedDistill.Distillation.Losses;
using FedDistill.Torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class AttentionTransferLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher()
    {
        using var scope = DisposeScope.Enter();
        var loss = new AttentionTransferLoss("conv2");
        var feature = Tensor.FromSpan<float>(Inputs.WaveSingle(2 * 4 * 5 * 5), [2, 4, 5, 5]);
        Assert.True(loss.Compute(feature, feature.Clone()).Item() < 1e-9);
    }

    [Fact]
    public void Is_zero_when_the_teacher_is_a_scaled_copy_with_the_channels_repeated()
    {
        // The channel mean of A² is unchanged by repeating channels, and normalization removes
        // the scale: the attention maps are equal although the features' widths differ.
        using var scope = DisposeScope.Enter();
        var loss = new AttentionTransferLoss("conv2");
        var student = Tensor.FromSpan<float>(Inputs.WaveSingle(2 * 3 * 4 * 4, phase: 0.6), [2, 3, 4, 4]);
        var teacher = Tensor.Cat([student, student], 1).Mul(3.0);
        Assert.True(loss.Compute(student, teacher).Item() < 1e-8);
    }

    [Fact]
    public void Equals_the_hand_computed_value_on_one_two_channel_example()
    {
        // Student channels [1, 2] and [1, 2]: channel mean of squares [1, 4], map [1, 4]/√17.
        // Teacher channel [2, 1]: map [4, 1]/√17. Mean squared difference (9 + 9)/17/2 = 9/17,
        // times β/2 = 500.
        using var scope = DisposeScope.Enter();
        var loss = new AttentionTransferLoss("conv1");
        var student = Tensor.FromSpan<double>([1, 2, 1, 2], [1, 2, 1, 2]);
        var teacher = Tensor.FromSpan<double>([2, 1], [1, 1, 1, 2]);

        LossAssert.Close(500.0 * 9 / 17, loss.Compute(student, teacher).Item(), relative: 1e-12, absolute: 1e-12);
        LossAssert.AllClose([1 / Math.Sqrt(17), 4 / Math.Sqrt(17)], LossAssert.Values(loss.AttentionMap(student)), relative: 1e-12, absolute: 1e-12);
    }

    [Fact]
    public void Matches_pytorch_for_attention_map_value_and_gradient()
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case("attention_transfer");
        var loss = new AttentionTransferLoss("conv1", beta: reference.Number("beta"), power: reference.Number("power"));
        var student = reference.Tensor("student");
        student.RequiresGrad = true;

        var value = loss.Compute(student, reference.Tensor("teacher"));
        value.Backward();

        LossAssert.AllClose(reference.Values("attention_student"), LossAssert.Values(loss.AttentionMap(student)));
        LossAssert.Close(reference.Scalar("loss"), value.Item());
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.Grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Pools_the_larger_map_to_the_smaller_size_as_mdistiller_does()
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case("attention_transfer_pooled");
        var loss = new AttentionTransferLoss("conv1", "conv2", reference.Number("beta"), reference.Number("power"));
        var value = loss.Compute(reference.Tensor("student"), reference.Tensor("teacher"));
        LossAssert.Close(reference.Scalar("loss"), value.Item());
    }

    [Fact]
    public void Mismatched_batch_sizes_throw_an_argument_exception_naming_both_shapes()
    {
        using var scope = DisposeScope.Enter();
        var loss = new AttentionTransferLoss("conv1", "conv2");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 16, 14, 14]), Tensor.Zeros([3, 32, 14, 14])));
        Assert.Contains("'conv1' [2, 16, 14, 14]", error.Message);
        Assert.Contains("'conv2' [3, 32, 14, 14]", error.Message);
    }

    [Fact]
    public void Feature_vectors_are_rejected_naming_their_shapes()
    {
        using var scope = DisposeScope.Enter();
        var loss = new AttentionTransferLoss("hidden");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 128]), Tensor.Zeros([2, 128])));
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
