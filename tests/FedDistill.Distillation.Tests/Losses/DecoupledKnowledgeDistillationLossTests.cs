using FedDistill.Distillation.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class DecoupledKnowledgeDistillationLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher()
    {
        using var scope = torch.NewDisposeScope();
        var logits = tensor(Inputs.WaveSingle(4 * 6, scale: 3.0), [4, 6]);
        var labels = tensor(new long[] { 0, 5, 2, 2 });
        var (targetClass, nonTargetClass) = new DecoupledKnowledgeDistillationLoss().ComputeTerms(logits, logits.clone(), labels);
        Assert.True(Math.Abs(targetClass.ToDouble()) < 1e-6);
        Assert.True(Math.Abs(nonTargetClass.ToDouble()) < 1e-6);
    }

    [Theory]
    [InlineData("dkd")]
    [InlineData("dkd_custom")]
    public void Matches_mdistiller_in_pytorch_for_both_terms_the_total_and_the_gradient(string name)
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case(name);
        var loss = new DecoupledKnowledgeDistillationLoss(reference.Number("temperature"), reference.Number("alpha"), reference.Number("beta"));
        var student = reference.Tensor("student");
        student.requires_grad = true;
        var teacher = reference.Tensor("teacher");
        var labels = reference.Tensor("labels");

        var value = loss.Compute(student, teacher, labels);
        value.backward();
        var (targetClass, nonTargetClass) = loss.ComputeTerms(student, teacher, labels);

        LossAssert.Close(reference.Scalar("tckd"), targetClass.ToDouble());
        LossAssert.Close(reference.Scalar("nckd"), nonTargetClass.ToDouble());
        LossAssert.Close(reference.Scalar("loss"), value.ToDouble());
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Classic_kd_equals_tckd_plus_the_teachers_non_target_mass_times_nckd()
    {
        // The paper's decomposition (eq. 4): per example KD = TCKD + (1 − p_t(target)) · NCKD,
        // with p_t the teacher's softened probabilities. Checked one example at a time in float64.
        using var scope = torch.NewDisposeScope();
        const double temperature = 2.5;
        var studentValues = Inputs.Wave(3 * 5, phase: 0.3);
        var teacherValues = Inputs.Wave(3 * 5, phase: 1.9, scale: 3.0);
        long[] labels = [4, 1, 0];
        var dkd = new DecoupledKnowledgeDistillationLoss(temperature);
        var kd = new KnowledgeDistillationLoss(temperature);

        for (var row = 0; row < 3; row++)
        {
            var student = tensor(studentValues.AsSpan(row * 5, 5).ToArray(), [1, 5]);
            var teacherRow = teacherValues.AsSpan(row * 5, 5).ToArray();
            var teacher = tensor(teacherRow, [1, 5]);
            var (targetClass, nonTargetClass) = dkd.ComputeTerms(student, teacher, tensor(new long[] { labels[row] }));
            var softened = teacherRow.Select(z => Math.Exp(z / temperature)).ToArray();
            var nonTargetMass = 1 - softened[labels[row]] / softened.Sum();

            var expected = kd.Compute(student, teacher, labels: null).ToDouble();
            LossAssert.Close(expected, targetClass.ToDouble() + nonTargetMass * nonTargetClass.ToDouble(), relative: 1e-10, absolute: 1e-12,
                what: $"row {row}");
        }
    }

    [Fact]
    public void Needs_teacher_logits_and_labels()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new DecoupledKnowledgeDistillationLoss();
        var logits = zeros([2, 3]);
        Assert.True(loss.NeedsLabels);
        Assert.True(loss.NeedsTeacher);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => loss.Compute(logits, logits, null)).ParamName);
        Assert.Equal("teacherLogits", Assert.Throws<ArgumentNullException>(() => loss.Compute(logits, null, tensor(new long[] { 0, 1 }))).ParamName);
    }

    [Fact]
    public void Mismatched_shapes_throw_an_argument_exception_naming_them()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new DecoupledKnowledgeDistillationLoss();
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([2, 3]), zeros([2, 4]), tensor(new long[] { 0, 1 })));
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[2, 4]", error.Message);
        Assert.Throws<ArgumentException>(() => loss.Compute(zeros([2, 3]), zeros([2, 3]), tensor(new long[] { 0, 1, 2 })));
    }

    [Theory]
    [InlineData(0.0, 1.0, 8.0, "temperature")]
    [InlineData(double.NaN, 1.0, 8.0, "temperature")]
    [InlineData(4.0, -1.0, 8.0, "alpha")]
    [InlineData(4.0, 1.0, -8.0, "beta")]
    [InlineData(4.0, 1.0, double.PositiveInfinity, "beta")]
    public void Rejects_out_of_range_hyper_parameters_naming_the_parameter(double temperature, double alpha, double beta, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DecoupledKnowledgeDistillationLoss(temperature, alpha, beta));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void Defaults_are_the_papers()
    {
        var loss = new DecoupledKnowledgeDistillationLoss();
        Assert.Equal((4.0, 1.0, 8.0), (loss.Temperature, loss.Alpha, loss.Beta));
    }
}
