using FedDistill.Distillation.Losses;
using FedDistill.Torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class DecoupledKnowledgeDistillationLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher()
    {
        using var scope = DisposeScope.Enter();
        var logits = Tensor.FromSpan<float>(Inputs.WaveSingle(4 * 6, scale: 3.0), [4, 6]);
        var labels = Tensor.FromArray<long>([0, 5, 2, 2]);
        var (targetClass, nonTargetClass) = new DecoupledKnowledgeDistillationLoss().ComputeTerms(logits, logits.Clone(), labels);
        Assert.True(Math.Abs(targetClass.Item()) < 1e-6);
        Assert.True(Math.Abs(nonTargetClass.Item()) < 1e-6);
    }

    [Theory]
    [InlineData("dkd")]
    [InlineData("dkd_custom")]
    public void Matches_mdistiller_in_pytorch_for_both_terms_the_total_and_the_gradient(string name)
    {
        using var scope = DisposeScope.Enter();
        var reference = LossReference.Case(name);
        var loss = new DecoupledKnowledgeDistillationLoss(reference.Number("temperature"), reference.Number("alpha"), reference.Number("beta"));
        var student = reference.Tensor("student");
        student.RequiresGrad = true;
        var teacher = reference.Tensor("teacher");
        var labels = reference.Tensor("labels");

        var value = loss.Compute(student, teacher, labels);
        value.Backward();
        var (targetClass, nonTargetClass) = loss.ComputeTerms(student, teacher, labels);

        LossAssert.Close(reference.Scalar("tckd"), targetClass.Item());
        LossAssert.Close(reference.Scalar("nckd"), nonTargetClass.Item());
        LossAssert.Close(reference.Scalar("loss"), value.Item());
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.Grad!), relative: 1e-4, absolute: 1e-6);
    }

    [Fact]
    public void Classic_kd_equals_tckd_plus_the_teachers_non_target_mass_times_nckd()
    {
        // The paper's decomposition (eq. 4): per example KD = TCKD + (1 − p_t(target)) · NCKD,
        // with p_t the teacher's softened probabilities. Checked one example at a time in float64.
        using var scope = DisposeScope.Enter();
        const double temperature = 2.5;
        var studentValues = Inputs.Wave(3 * 5, phase: 0.3);
        var teacherValues = Inputs.Wave(3 * 5, phase: 1.9, scale: 3.0);
        long[] labels = [4, 1, 0];
        var dkd = new DecoupledKnowledgeDistillationLoss(temperature);
        var kd = new KnowledgeDistillationLoss(temperature);

        for (var row = 0; row < 3; row++)
        {
            var student = Tensor.FromSpan<double>(studentValues.AsSpan(row * 5, 5), [1, 5]);
            var teacherRow = teacherValues.AsSpan(row * 5, 5).ToArray();
            var teacher = Tensor.FromSpan<double>(teacherRow, [1, 5]);
            var (targetClass, nonTargetClass) = dkd.ComputeTerms(student, teacher, Tensor.FromArray<long>([labels[row]]));
            var softened = teacherRow.Select(z => Math.Exp(z / temperature)).ToArray();
            var nonTargetMass = 1 - softened[labels[row]] / softened.Sum();

            var expected = kd.Compute(student, teacher, labels: null).Item();
            LossAssert.Close(expected, targetClass.Item() + nonTargetMass * nonTargetClass.Item(), relative: 1e-10, absolute: 1e-12,
                what: $"row {row}");
        }
    }

    [Fact]
    public void Needs_teacher_logits_and_labels()
    {
        using var scope = DisposeScope.Enter();
        var loss = new DecoupledKnowledgeDistillationLoss();
        var logits = Tensor.Zeros([2, 3]);
        Assert.True(loss.NeedsLabels);
        Assert.True(loss.NeedsTeacher);
        Assert.Equal("labels", Assert.Throws<ArgumentNullException>(() => loss.Compute(logits, logits, null)).ParamName);
        Assert.Equal("teacherLogits", Assert.Throws<ArgumentNullException>(() => loss.Compute(logits, null, Tensor.FromArray<long>([0, 1]))).ParamName);
    }

    [Fact]
    public void Mismatched_shapes_throw_an_argument_exception_naming_them()
    {
        using var scope = DisposeScope.Enter();
        var loss = new DecoupledKnowledgeDistillationLoss();
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4]), Tensor.FromArray<long>([0, 1])));
        Assert.Contains("[2, 3]", error.Message);
        Assert.Contains("[2, 4]", error.Message);
        Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 3]), Tensor.Zeros([2, 3]), Tensor.FromArray<long>([0, 1, 2])));
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
