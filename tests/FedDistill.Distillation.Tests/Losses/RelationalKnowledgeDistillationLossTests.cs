using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class RelationalKnowledgeDistillationLossTests
{
    [Fact]
    public void Is_zero_when_student_equals_teacher()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new RelationalKnowledgeDistillationLoss();
        var embeddings = tensor(Inputs.WaveSingle(6 * 4), [6, 4]);
        Assert.True(loss.Compute(embeddings, embeddings.clone()).ToDouble() < 1e-6);
    }

    [Fact]
    public void Is_zero_when_the_student_is_a_rotated_scaled_shifted_and_padded_copy_of_the_teacher()
    {
        // Distances divided by their mean and the angles between difference vectors are
        // invariant under similarity transforms and zero-padding: only relations are compared.
        using var scope = torch.NewDisposeScope();
        var teacherValues = Inputs.Wave(5 * 2, phase: 0.3);
        var (cos, sin) = (Math.Cos(0.8), Math.Sin(0.8));
        var studentValues = new double[5 * 3];
        for (var i = 0; i < 5; i++)
        {
            var (x, y) = (teacherValues[2 * i], teacherValues[2 * i + 1]);
            studentValues[3 * i] = 3 * (cos * x - sin * y) + 1.5;
            studentValues[3 * i + 1] = 3 * (sin * x + cos * y) - 0.5;
        }
        var loss = new RelationalKnowledgeDistillationLoss();

        var value = loss.Compute(tensor(studentValues, [5, 3]), tensor(teacherValues, [5, 2]));

        Assert.True(Math.Abs(value.ToDouble()) < 1e-12, $"loss {value.ToDouble()}");
    }

    [Fact]
    public void Distance_term_equals_the_hand_computed_value_for_points_on_a_line()
    {
        // Student 0, 1, 2: distances 1, 2, 1 with mean 4/3 → 0.75, 1.5, 0.75. Teacher 0, 1, 3:
        // distances 1, 3, 2 with mean 2 → 0.5, 1.5, 1. Differences ±0.25 on four of the nine
        // entries, each ½·0.25² under smooth-L1: 4 · 0.03125 / 9 = 1/72. The points keep their
        // order, so every angle agrees and the angle term is zero.
        using var scope = torch.NewDisposeScope();
        var loss = new RelationalKnowledgeDistillationLoss();
        var student = tensor(new double[] { 0, 1, 2 }, [3, 1]);
        var teacher = tensor(new double[] { 0, 1, 3 }, [3, 1]);

        LossAssert.Close(1.0 / 72, loss.DistanceLoss(student, teacher).ToDouble(), relative: 1e-10, absolute: 1e-12);
        LossAssert.Close(0.0, loss.AngleLoss(student, teacher).ToDouble(), relative: 0, absolute: 1e-12);
        LossAssert.Close(25.0 / 72, loss.Compute(student, teacher).ToDouble(), relative: 1e-10, absolute: 1e-12);
    }

    [Fact]
    public void Angle_term_equals_the_hand_computed_value_for_a_right_triangle_against_collinear_points()
    {
        // Student (0,0), (1,0), (0,1): cosines 0, 1/√2, 1/√2 at the three anchors. Teacher
        // (0,0), (1,0), (2,0): cosines 1, −1, 1. Each anchor contributes its off-diagonal pair
        // twice (the unit diagonal agrees): smooth-L1 of 1, 1 + 1/√2 and 1 − 1/√2 sums to 1.75,
        // so 2 · 1.75 over the 27 entries: 7/54.
        using var scope = torch.NewDisposeScope();
        var loss = new RelationalKnowledgeDistillationLoss();
        var student = tensor(new double[] { 0, 0, 1, 0, 0, 1 }, [3, 2]);
        var teacher = tensor(new double[] { 0, 0, 1, 0, 2, 0 }, [3, 2]);

        LossAssert.Close(7.0 / 54, loss.AngleLoss(student, teacher).ToDouble(), relative: 1e-10, absolute: 1e-12);
    }

    [Fact]
    public void Matches_pytorch_for_both_terms_the_total_and_the_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var reference = LossReference.Case("rkd");
        var loss = new RelationalKnowledgeDistillationLoss(reference.Number("distance_weight"), reference.Number("angle_weight"));
        var student = reference.Tensor("student");
        student.requires_grad = true;
        var teacher = reference.Tensor("teacher");

        var value = loss.Compute(student, teacher);
        value.backward();

        LossAssert.Close(reference.Scalar("distance_loss"), loss.DistanceLoss(student, teacher).ToDouble(), relative: 1e-4);
        LossAssert.Close(reference.Scalar("angle_loss"), loss.AngleLoss(student, teacher).ToDouble(), relative: 1e-4);
        LossAssert.Close(reference.Scalar("loss"), value.ToDouble(), relative: 1e-4);
        LossAssert.AllClose(reference.Values("grad_student"), LossAssert.Values(student.grad!), relative: 1e-3, absolute: 1e-5);
    }

    [Fact]
    public void Gradient_with_respect_to_the_student_matches_central_finite_differences()
    {
        using var scope = torch.NewDisposeScope();
        var teacher = tensor(Inputs.Wave(5 * 3, phase: 2.1, scale: 1.3), [5, 3]);
        var loss = new RelationalKnowledgeDistillationLoss();

        var (autograd, numeric) = FiniteDifferences.Gradients(Inputs.Wave(5 * 4, phase: 0.4), [5, 4],
            student => loss.Compute(student, teacher));

        LossAssert.AllClose(numeric, autograd, relative: 1e-6, absolute: 1e-7);
    }

    [Fact]
    public void As_a_logit_loss_equals_the_tensor_form_and_ignores_labels()
    {
        using var scope = torch.NewDisposeScope();
        IDistillationLoss loss = new RelationalKnowledgeDistillationLoss();
        var student = tensor(Inputs.WaveSingle(4 * 5), [4, 5]);
        var teacher = tensor(Inputs.WaveSingle(4 * 5, phase: 1.0), [4, 5]);
        var expected = ((RelationalKnowledgeDistillationLoss)loss).Compute(student, teacher).ToDouble();

        Assert.Equal(expected, loss.Compute(student, teacher, tensor(new long[] { 0, 1, 2, 3 })).ToDouble());
        Assert.True(loss.NeedsTeacher);
        Assert.False(loss.NeedsLabels);
    }

    [Fact]
    public void Reads_logits_by_default_and_flattens_named_feature_maps()
    {
        using var scope = torch.NewDisposeScope();
        var map = tensor(Inputs.WaveSingle(3 * 2 * 2 * 2), [3, 2, 2, 2]);
        var logits = tensor(Inputs.WaveSingle(3 * 4, phase: 0.5), [3, 4]);
        var otherLogits = tensor(Inputs.WaveSingle(3 * 4, phase: 2.5), [3, 4]);
        var student = new FeatureOutput(logits, new Dictionary<string, Tensor> { ["conv"] = map });
        var teacher = new FeatureOutput(otherLogits, new Dictionary<string, Tensor> { ["conv"] = map.mul(2.0) });

        var onLogits = new RelationalKnowledgeDistillationLoss();
        var onMaps = new RelationalKnowledgeDistillationLoss(studentFeature: "conv");

        Assert.Equal(onLogits.Compute(logits, otherLogits).ToDouble(), onLogits.Compute(student, teacher).ToDouble());
        Assert.True(onMaps.Compute(student, teacher).ToDouble() < 1e-6);
        Assert.Equal(["logits"], onLogits.StudentFeatures);
    }

    [Fact]
    public void A_batch_of_one_example_has_no_relations_and_gives_zero_with_a_gradient()
    {
        using var scope = torch.NewDisposeScope();
        var student = tensor(new float[] { 1, 2, 3 }, [1, 3]);
        student.requires_grad = true;
        var value = new RelationalKnowledgeDistillationLoss().Compute(student, tensor(new float[] { 3, 2 }, [1, 2]));
        value.backward();
        Assert.Equal(0.0, value.ToDouble());
        Assert.Equal([0f, 0f, 0f], student.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Mismatched_batch_sizes_throw_an_argument_exception_naming_both_shapes()
    {
        using var scope = torch.NewDisposeScope();
        var loss = new RelationalKnowledgeDistillationLoss(studentFeature: "hidden");
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(zeros([4, 128]), zeros([5, 64])));
        Assert.Contains("'hidden' [4, 128]", error.Message);
        Assert.Contains("[5, 64]", error.Message);
    }

    [Theory]
    [InlineData(-1.0, 50.0, "distanceWeight")]
    [InlineData(double.NaN, 50.0, "distanceWeight")]
    [InlineData(25.0, -0.5, "angleWeight")]
    [InlineData(25.0, double.PositiveInfinity, "angleWeight")]
    public void Rejects_out_of_range_weights_naming_the_parameter(double distanceWeight, double angleWeight, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RelationalKnowledgeDistillationLoss(distanceWeight, angleWeight));
        Assert.Equal(parameter, error.ParamName);
    }
}
