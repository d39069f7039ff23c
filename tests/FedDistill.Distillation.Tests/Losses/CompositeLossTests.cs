using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Losses;

[Collection(TorchGlobalState.Name)]
public sealed class CompositeLossTests
{
    [Fact]
    public void Total_is_the_logit_loss_plus_the_weighted_feature_losses()
    {
        using var scope = torch.NewDisposeScope();
        var (student, teacher) = (Output(0.0), Output(1.0));
        var kd = new KnowledgeDistillationLoss();
        var hint = new HintLoss("hidden");
        var relations = new RelationalKnowledgeDistillationLoss(studentFeature: "hidden");
        using var loss = new CompositeLoss(kd, [new WeightedFeatureLoss(hint, 0.5), new WeightedFeatureLoss(relations, 2.0)]);

        var expected = kd.Compute(student.Logits, teacher.Logits, null).ToDouble() + 0.5 * hint.Compute(student, teacher).ToDouble()
            + 2.0 * relations.Compute(student, teacher).ToDouble();

        LossAssert.Close(expected, loss.Compute(student, teacher, labels: null).ToDouble());
    }

    [Fact]
    public void Reports_the_features_parameters_and_inputs_its_terms_need()
    {
        using var loss = new CompositeLoss(new CrossEntropyLoss(), [
            new WeightedFeatureLoss(HintLoss.ForFeatureMaps("conv1", "conv1", 8, 16)),
            new WeightedFeatureLoss(new AttentionTransferLoss("conv1", "conv2")),
            new WeightedFeatureLoss(new AttentionTransferLoss("conv2")),
        ]);

        Assert.Equal(["conv1", "conv2"], loss.StudentFeatures);
        Assert.Equal(["conv1", "conv2"], loss.TeacherFeatures);
        Assert.Equal(2, loss.TrainableParameters.Count);
        Assert.True(loss.NeedsTeacher);
        Assert.True(loss.NeedsLabels);
        Assert.False(new CompositeLoss(new CrossEntropyLoss()).NeedsTeacher);
    }

    [Fact]
    public void Training_the_student_and_the_regressor_on_it_lowers_it()
    {
        torch.manual_seed(7);
        using var teacherModel = new SmallCnn(channels1: 8, channels2: 16, hiddenWidth: 32, imageSize: 8);
        using var studentModel = new SmallCnn(channels1: 4, channels2: 16, hiddenWidth: 16, imageSize: 8);
        using var loss = new CompositeLoss(new KnowledgeDistillationLoss(), [
            new WeightedFeatureLoss(HintLoss.ForFeatureMaps("conv1", "conv1", 4, 8)),
            new WeightedFeatureLoss(new AttentionTransferLoss("conv2")),
            new WeightedFeatureLoss(new RelationalKnowledgeDistillationLoss(studentFeature: "hidden"), 0.1),
        ]);
        using var optimizer = torch.optim.Adam(studentModel.parameters().Concat(loss.TrainableParameters), lr: 1e-2);
        using var images = tensor(Inputs.WaveSingle(8 * 8 * 8, scale: 1.0), [8, 1, 8, 8]).DetachFromDisposeScope();
        FeatureOutput teacher;
        using (torch.no_grad()) teacher = teacherModel.ForwardWithFeatures(images);

        double Step()
        {
            using var scope = torch.NewDisposeScope();
            var value = loss.Compute(studentModel.ForwardWithFeatures(images), teacher, labels: null);
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
            return value.ToDouble();
        }

        var first = Step();
        var last = first;
        for (var i = 0; i < 60; i++) last = Step();

        Assert.True(loss.TrainableParameters.All(parameter => parameter.grad is not null), "the regressor was not trained");
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
        teacher.Logits.Dispose();
        foreach (var feature in teacher.Features.Values) feature.Dispose();
    }

    [Fact]
    public void Needs_the_teacher_pass_when_any_term_uses_it()
    {
        using var scope = torch.NewDisposeScope();
        using var loss = new CompositeLoss(new CrossEntropyLoss(), [new WeightedFeatureLoss(new HintLoss("hidden"))]);
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Output(0.0), null, tensor(new long[] { 0, 1, 2 })));
        Assert.Equal("teacher", error.ParamName);
    }

    [Fact]
    public void Dispose_disposes_the_feature_losses_and_their_regressors()
    {
        var loss = new CompositeLoss(new KnowledgeDistillationLoss(), [new WeightedFeatureLoss(HintLoss.ForFeatureVectors("hidden", "hidden", 3, 4))]);
        var parameters = loss.TrainableParameters;
        loss.Dispose();
        Assert.All(parameters, parameter => Assert.True(parameter.IsInvalid));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_weighted_term_rejects_weights_that_are_not_finite_and_non_negative(double weight)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedFeatureLoss(new HintLoss("hidden"), weight));
        Assert.Equal("weight", error.ParamName);
    }

    /// <summary>Logits [3, 4] and a "hidden" feature [3, 5] with wave values; the current scope owns them.</summary>
    private static FeatureOutput Output(double phase) => new(
        tensor(Inputs.WaveSingle(3 * 4, phase), [3, 4]),
        new Dictionary<string, Tensor> { ["hidden"] = tensor(Inputs.WaveSingle(3 * 5, phase + 0.5), [3, 5]) });
}
