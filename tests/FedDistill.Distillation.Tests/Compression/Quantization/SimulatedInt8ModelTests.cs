using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

[Collection(TorchGlobalState.Name)]
public sealed class SimulatedInt8ModelTests
{
    private static QuantizationCalibration OnlyLayer(float min, float max) =>
        new(new Dictionary<string, ActivationRange> { ["only"] = new(min, max) });

    [Fact]
    public void A_linear_layer_computes_on_the_quantized_input_and_weight_with_a_float_bias()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var simulated = new SimulatedInt8Model(model, OnlyLayer(-1f, 2f));
        using var scope = torch.NewDisposeScope();

        var output = simulated.forward(torch.tensor(new float[] { 0.31f, -1.5f, 7f }, [1, 3])).data<float>().ToArray();

        // Input on the grid of [−1, 2] (step 3/255): 26, −85 and 170 steps. Weight levels
        // [25, −127, 70]·(2/127) and [42, 85, −127]·(0.3/127); bias 0.5 and −0.25 in float.
        double step = 3.0 / 255, row0 = 2.0 / 127, row1 = 0.3 / 127;
        double[] input = [26 * step, -85 * step, 170 * step];
        var expected0 = (25 * input[0] - 127 * input[1] + 70 * input[2]) * row0 + 0.5;
        var expected1 = (42 * input[0] + 85 * input[1] - 127 * input[2]) * row1 - 0.25;
        Assert.Equal(expected0, output[0], 1e-5);
        Assert.Equal(expected1, output[1], 1e-5);
    }

    [Fact]
    public void Disposing_the_simulation_leaves_the_model_computing_in_float()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var scope = torch.NewDisposeScope();
        var input = torch.tensor(new float[] { 0.31f, -1.5f, 7f }, [1, 3]);
        var exact = model.forward(input).data<float>().ToArray();

        using (var simulated = new SimulatedInt8Model(model, OnlyLayer(-1f, 2f)))
            Assert.NotEqual(exact, simulated.forward(input).data<float>().ToArray());

        Assert.Equal(exact, model.forward(input).data<float>().ToArray());
    }

    [Fact]
    public void A_model_already_under_simulation_cannot_be_wrapped_or_calibrated_again()
    {
        using var model = QuantizationTestModels.OneLinear();
        using var simulated = new SimulatedInt8Model(model, OnlyLayer(-1f, 2f));

        var twice = Assert.Throws<InvalidOperationException>(() => new SimulatedInt8Model(model, OnlyLayer(-1f, 2f)));
        var calibrate = Assert.Throws<InvalidOperationException>(() =>
            ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows([[1f, 2f, 3f]]), new CalibrationOptions()));

        Assert.Contains("Layer 'only' is already hooked by SimulatedInt8Model", twice.Message);
        Assert.Contains("Layer 'only' is already hooked", calibrate.Message);
    }

    [Fact]
    public void A_calibration_that_does_not_fit_the_model_is_refused_with_the_layers_named()
    {
        torch.manual_seed(3);
        using var model = new SmallCnn(1, 4, 4, 8, 16, imageSize: 8);
        var ranges = new Dictionary<string, ActivationRange>
        {
            ["conv1"] = new(-3, 3), ["conv2"] = new(0, 2), ["fc1"] = new(0, 1), ["fc3"] = new(0, 1),
        };

        var problem = Assert.Throws<ArgumentException>(() => new SimulatedInt8Model(model, new QuantizationCalibration(ranges)));

        Assert.Contains("QuantizationCalibration.Inputs does not fit the model", problem.Message);
        Assert.Contains("no range for layer(s) 'fc2'", problem.Message);
        Assert.Contains("names layer(s) 'fc3' the model does not have", problem.Message);
    }

    [Fact]
    public void An_invalid_range_in_a_calibration_is_refused_with_the_layer_named()
    {
        using var model = QuantizationTestModels.OneLinear();

        var problem = Assert.Throws<ArgumentException>(() => new SimulatedInt8Model(model, OnlyLayer(3f, 1f)));

        Assert.Contains("QuantizationCalibration.Inputs['only']: ActivationRange.Min (3) is greater than ActivationRange.Max (1)", problem.Message);
    }
}
