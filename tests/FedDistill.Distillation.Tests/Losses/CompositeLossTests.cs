using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Torch;
using FedDistill.Torch.Optimizers;

namespace FedDistill.Distillation.Tests.Losses;

public sealed class CompositeLossTests
{
    [Fact]
    public void Total_is_the_logit_loss_plus_the_weighted_feature_losses()
    {
        using var scope = DisposeScope.Enter();
        var (student, teacher) = (Output(0.0), Output(1.0));
        var kd = new KnowledgeDistillationLoss();
        var hint = new HintLoss("hidden");
        var relations = new RelationalKnowledgeDistillationLoss(studentFeature: "hidden");
        using var loss = new CompositeLoss(kd, [new WeightedFeatureLoss(hint, 0.5), new WeightedFeatureLoss(relations, 2.0)]);

        var expected = kd.Compute(student.Logits, teacher.Logits, null).Item() + 0.5 * hint.Compute(student, teacher).Item()
            + 2.0 * relations.Compute(student, teacher).Item();

        LossAssert.Close(expected, loss.Compute(student, teacher, labels: null).Item());
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
        Torch.Torch.ManualSeed(7);
        using var teacherModel = new SmallCnn(channels1: 8, channels2: 16, hiddenWidth: 32, imageSize: 8);
        using var studentModel = new SmallCnn(channels1: 4, channels2: 16, hiddenWidth: 16, imageSize: 8);
        using var loss = new CompositeLoss(new KnowledgeDistillationLoss(), [
            new WeightedFeatureLoss(HintLoss.ForFeatureMaps("conv1", "conv1", 4, 8)),
            new WeightedFeatureLoss(new AttentionTransferLoss("conv2")),
            new WeightedFeatureLoss(new RelationalKnowledgeDistillationLoss(studentFeature: "hidden"), 0.1),
        ]);
        using var optimizer = new Adam(studentModel.Parameters().Concat(loss.TrainableParameters), learningRate: 1e-2);
        using var images = Tensor.FromSpan<float>(Inputs.WaveSingle(8 * 8 * 8, scale: 1.0), [8, 1, 8, 8]).DetachFromDisposeScope();
        FeatureOutput teacher;
        using (NoGradScope.Enter()) teacher = teacherModel.ForwardWithFeatures(images);

        double Step()
        {
            using var scope = DisposeScope.Enter();
            var value = loss.Compute(studentModel.ForwardWithFeatures(images), teacher, labels: null);
            optimizer.ZeroGrad();
            value.Backward();
            optimizer.Step();
            return value.Item();
        }

        var first = Step();
        var last = first;
        for (var i = 0; i < 60; i++) last = Step();

        Assert.True(loss.TrainableParameters.All(parameter => parameter.Grad is not null), "the regressor was not trained");
        Assert.True(last < 0.5 * first, $"loss went from {first} to {last}");
        teacher.Logits.Dispose();
        foreach (var feature in teacher.Features.Values) feature.Dispose();
    }

    [Fact]
    public void Needs_the_teacher_pass_when_any_term_uses_it()
    {
        using var scope = DisposeScope.Enter();
        using var loss = new CompositeLoss(new CrossEntropyLoss(), [new WeightedFeatureLoss(new HintLoss("hidden"))]);
        var error = Assert.Throws<ArgumentException>(() => loss.Compute(Output(0.0), null, Tensor.FromArray<long>([0, 1, 2])));
        Assert.Equal("teacher", error.ParamName);
    }

    [Fact]
    public void Dispose_disposes_the_feature_losses_and_their_regressors()
    {
        var loss = new CompositeLoss(new KnowledgeDistillationLoss(), [new WeightedFeatureLoss(HintLoss.ForFeatureVectors("hidden", "hidden", 3, 4))]);
        var parameters = loss.TrainableParameters;
        loss.Dispose();
        Assert.All(parameters, parameter => Assert.True(parameter.IsDisposed));
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
        Tensor.FromSpan<float>(Inputs.WaveSingle(3 * 4, phase), [3, 4]),
        new Dictionary<string, Tensor> { ["hidden"] = Tensor.FromSpan<float>(Inputs.WaveSingle(3 * 5, phase + 0.5), [3, 5]) });
}
