using FedDistill.Distillation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class KnowledgeDistillationLossTests
{
    [Fact]
    public void Is_zero_when_student_logits_equal_teacher_logits_and_alpha_is_one()
    {
        using var scope = torch.NewDisposeScope();
        var logits = tensor(Inputs.WaveSingle(4 * 10, scale: 3.0), [4, 10]);
        var labels = tensor(new long[] { 1, 7, 3, 0 });
        var loss = new KnowledgeDistillationLoss(temperature: 3.0, alpha: 1.0).Compute(logits, logits.clone(), labels);
        Assert.True(Math.Abs(loss.ToDouble()) < 1e-6, $"loss {loss.ToDouble()}");
    }

    [Fact]
    public void Equals_the_hand_computed_value_on_a_two_by_three_example()
    {
        // At T = 2 the student's first row 2·ln[1, 2, 3] softens to [1, 2, 3]/6 and the teacher's
        // zeros to uniform, so KL(u ‖ p) = ⅓(ln 2 + ln 1 + ln ⅔) = ⅓ ln(4/3); the second row swaps
        // the roles: KL(p ‖ u) = ⅙ ln ½ + ⅓ ln 1 + ½ ln(3/2). Hard cross entropy sees the raw logits:
        // row one softmax ∝ [1, 4, 9] with label 2 gives −ln(9/14); row two uniform gives ln 3.
        using var scope = torch.NewDisposeScope();
        double l2 = Math.Log(2), l3 = Math.Log(3);
        var student = tensor(new double[] { 0, 2 * l2, 2 * l3, 0, 0, 0 }, [2, 3]);
        var teacher = tensor(new double[] { 0, 0, 0, 0, 2 * l2, 2 * l3 }, [2, 3]);
        var labels = tensor(new long[] { 2, 0 });
        var klFirst = Math.Log(4.0 / 3) / 3;
        var klSecond = Math.Log(0.5) / 6 + Math.Log(1.5) / 2;
        var crossEntropy = (-Math.Log(9.0 / 14) + l3) / 2;
        var expected = 0.5 * 4 * (klFirst + klSecond) / 2 + 0.5 * crossEntropy;

        var loss = new KnowledgeDistillationLoss(temperature: 2.0, alpha: 0.5).Compute(student, teacher, labels);

        LossAssert.Close(expected, loss.ToDouble(), relative: 1e-12, absolute: 1e-12);
    }

    [Fact]
    public void Without_labels_uses_only_the_soft_term_at_full_weight()
    {
        using var scope = torch.NewDisposeScope();
        double l2 = Math.Log(2), l3 = Math.Log(3);
        var student = tensor(new double[] { 0, 2 * l2, 2 * l3, 0, 0, 0 }, [2, 3]);
        var teacher = tensor(new double[] { 0, 0, 0, 0, 2 * l2, 2 * l3 }, [2, 3]);
        var soft = 4 * (Math.Log(4.0 / 3) / 3 + Math.Log(0.5) / 6 + Math.Log(1.5) / 2) / 2;

        foreach (var alpha in new[] { 0.0, 0.3, 1.0 })
        {
            var loss = new KnowledgeDistillationLoss(temperature: 2.0, alpha: alpha).Compute(student, teacher, labels: null);
            LossAssert.Close(soft, loss.ToDouble(), relative: 1e-12, absolute: 1e-12, what: $"α = {alpha}");
        }
    }

    [Fact]
    public void Gradient_with_respect_to_student_logits_matches_central_finite_differences()
    {
        using var scope = torch.NewDisposeScope();
        var teacher = tensor(Inputs.Wave(3 * 5, phase: 1.3, scale: 2.5), [3, 5]);
        var labels = tensor(new long[] { 4, 0, 2 });
        var loss = new KnowledgeDistillationLoss(temperature: 3.0, alpha: 0.7);

        var (autograd, numeric) = FiniteDifferences.Gradients(Inputs.Wave(3 * 5, phase: 0.2), [3, 5],
            student => loss.Compute(student, teacher, labels));

        LossAssert.AllClose(numeric, autograd, relative: 1e-6, absolute: 1e-8);
    }

    [Fact]
    public void Matches_pytorch_for_value_soft_term_and_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("kd");
        var student = reference.Tensor("student");
        student.requires_grad = true;
        var teacher = reference.Tensor("teacher");
        var labels = reference.Tensor("labels");
        var loss = new KnowledgeDistillationLoss(reference.Number("temperature"), reference.Number("alpha"));

        var value = loss.Compute(student, teacher, labels);
        value.backward();

        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
        LossAssert.Close(reference.Scalar("soft_only"), loss.Compute(student, teacher, labels: null).ToDouble());
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.grad!), relative: 1e-4, absolute: 1e-7);
    }

    [Theory]
    [InlineData(0.0, 0.5, "temperature")]
    [InlineData(-1.0, 0.5, "temperature")]
    [InlineData(double.PositiveInfinity, 0.5, "temperature")]
    [InlineData(4.0, -0.1, "alpha")]
    [InlineData(4.0, 1.1, "alpha")]
    [InlineData(4.0, double.NaN, "alpha")]
    public void Rejects_out_of_range_hyper_parameters_naming_the_parameter(double temperature, double alpha, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new KnowledgeDistillationLoss(temperature, alpha));
        Assert.Equal(parameter, error.ParamName);
    }
}
