using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Tests.Configuration;
using FedDistill.Distillation.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

[Collection(TorchGlobalState.Name)]
public sealed class QuantizationAwareTrainingTests(DistilledStudent distilled) : IClassFixture<DistilledStudent>
{
    private readonly DistilledStudent _distilled = distilled;

    [Fact]
    public void Observed_ranges_start_at_the_first_batch_and_move_by_the_averaging_constant()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var qat = new QuantizationAwareTraining(model, new QuantizationAwareTrainingOptions(AveragingConstant: 0.5));
        using var scope = torch.NewDisposeScope();
        qat.train();

        qat.forward(torch.tensor(new float[] { 0, 0.5f, 1 }, [1, 3]));
        var first = qat.ToCalibration().Inputs["only"];
        qat.forward(torch.tensor(new float[] { -2, 0, 3 }, [1, 3]));
        var second = qat.ToCalibration().Inputs["only"];
        qat.eval();
        qat.forward(torch.tensor(new float[] { -100, 0, 100 }, [1, 3]));

        Assert.Equal(new ActivationRange(0, 1), first);
        // min: 0 + 0.5·(−2 − 0) = −1; max: 1 + 0.5·(3 − 1) = 2. Evaluation leaves them alone.
        Assert.Equal(new ActivationRange(-1, 2), second);
        Assert.Equal(second, qat.ToCalibration().Inputs["only"]);
    }

    [Fact]
    public void In_training_each_layer_sees_fake_quantized_inputs_and_weights_and_gradients_reach_the_float_weights()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var qat = new QuantizationAwareTraining(model, new QuantizationAwareTrainingOptions(AveragingConstant: 1));
        using var scope = torch.NewDisposeScope();
        qat.train();
        var input = torch.tensor(new float[] { -1f, 0.31f, 2f }, [1, 3]);

        var output = qat.forward(input);
        output.sum().backward();

        // The first batch sets the range to [−1, 2]: the grid and weights of the simulation test.
        using var reference = QuantizationTestModels.OneLinear();
        using var simulated = new SimulatedInt8Model(reference, new QuantizationCalibration(
            new Dictionary<string, ActivationRange> { ["only"] = new(-1, 2) }));
        Assert.Equal(simulated.forward(input).data<float>().ToArray(), output.data<float>().ToArray());
        // Straight through: d(sum of outputs)/dW[o, i] is the quantized input i, for both rows.
        var quantizedInput = FakeQuantize.Activations(input, new ActivationRange(-1, 2)).data<float>().ToArray();
        var weight = model.parameters().First(parameter => parameter.dim() == 2);
        Assert.Equal(quantizedInput.Concat(quantizedInput).ToArray(), weight.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Qat_with_the_kd_loss_lowers_the_loss_and_its_simulated_int8_accuracy_is_within_a_point_of_fp32()
    {
        // The float student's initial weights, trained with quantization-aware training instead.
        torch.manual_seed(DistilledStudent.InitSeed);
        using var student = DistilledStudent.CreateStudent();
        var progress = new RecordingProgress<TrainingProgress>();
        QuantizationCalibration calibration;
        double qatAccuracy;
        using (var qat = new QuantizationAwareTraining(student))
        {
            new Trainer(DistilledStudent.Options).Train(qat, _distilled.PublicSet, _distilled.TeacherLogits, DistilledStudent.Loss, progress);
            calibration = qat.ToCalibration();
            qatAccuracy = Predictor.Accuracy(qat, _distilled.Test);
        }

        var epochLosses = progress.Reports.Where(report => report.EpochCompleted).Select(report => report.Loss).ToArray();
        var int8Accuracy = SimulatedInt8Model.Accuracy(student, calibration, _distilled.Test);
        Assert.Equal(DistilledStudent.Options.Epochs, epochLosses.Length);
        Assert.True(epochLosses[^1] < 0.5 * epochLosses[0], $"QAT loss went from {epochLosses[0]} to {epochLosses[^1]}.");
        Assert.True(_distilled.Fp32Accuracy > 0.85, $"The float student reached only {_distilled.Fp32Accuracy}.");
        Assert.True(int8Accuracy >= _distilled.Fp32Accuracy - 0.01, $"Simulated int8 accuracy {int8Accuracy} after QAT; fp32 {_distilled.Fp32Accuracy}.");
        // The wrapper in evaluation mode is the simulation with its own calibration.
        Assert.Equal(int8Accuracy, qatAccuracy);
        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], calibration.Inputs.Keys);
    }

    [Fact]
    public void Post_training_calibration_of_the_float_student_keeps_int8_accuracy_within_a_point_of_fp32()
    {
        var calibration = ActivationCalibrator.Calibrate(_distilled.Student, _distilled.PublicSet, new CalibrationOptions(MaxExamples: 512));

        var int8Accuracy = SimulatedInt8Model.Accuracy(_distilled.Student, calibration, _distilled.Test);

        Assert.True(_distilled.Fp32Accuracy > 0.85, $"The float student reached only {_distilled.Fp32Accuracy}.");
        Assert.InRange(int8Accuracy, _distilled.Fp32Accuracy - 0.01, _distilled.Fp32Accuracy + 0.01);
    }

    [Fact]
    public void The_wrapper_trains_the_models_own_parameters_and_disposing_it_restores_float_and_spares_the_model()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(new float[] { 0.31f, -1.5f, 7f }, [1, 3]);
        var exact = model.forward(input).data<float>().ToArray();

        using (var qat = new QuantizationAwareTraining(model))
        {
            Assert.Equal(model.parameters().Select(p => p.Handle), qat.parameters().Select(p => p.Handle));
            Assert.Equal(["model.only.weight", "model.only.bias", "observers.0.min", "observers.0.max"], qat.state_dict().Keys);
            Assert.Same(model, qat.Model);
            qat.train();
            Assert.NotEqual(exact, qat.forward(input).data<float>().ToArray());
        }

        Assert.Equal(exact, model.forward(input).data<float>().ToArray());
    }

    [Fact]
    public void Calibration_before_any_training_step_is_refused_with_the_layer_named()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var qat = new QuantizationAwareTraining(model);

        var problem = Assert.Throws<InvalidOperationException>(qat.ToCalibration);

        Assert.Contains("Layer 'only' has not observed an input", problem.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_bad_averaging_constant_is_refused_with_the_setting_named(double averagingConstant)
    {
        using var model = QuantizationTestModels.OneLinear();

        var problem = Assert.Throws<ArgumentException>(() => new QuantizationAwareTraining(model, new QuantizationAwareTrainingOptions(averagingConstant)));

        Assert.Contains("QuantizationAwareTrainingOptions.AveragingConstant", problem.Message);
        Assert.Contains("it must be in (0, 1]", problem.Message);
    }
}
