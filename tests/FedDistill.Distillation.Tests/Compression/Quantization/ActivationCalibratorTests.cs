using FedDistill.Distillation.Compression.Quantization;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Compression.Quantization;

[Collection(TorchGlobalState.Name)]
public sealed class ActivationCalibratorTests
{
    private static readonly float[][] ThreeRows = [[1f, 2f], [-3f, 0.5f], [2f, -4f]];

    [Fact]
    public void Calibration_records_the_true_min_and_max_of_each_layer_input_across_batches()
    {
        using var model = QuantizationTestModels.TwoLinears();

        // Batches of two: [1, 2], [−3, 0.5] then [2, −4].
        var calibration = ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), new CalibrationOptions(BatchSize: 2));

        // first sees the data: −4 … 2. After first and ReLU: [1, 0], [0, 0.5], [2, 5], so second sees 0 … 5.
        Assert.Equal(["first", "second"], calibration.Inputs.Keys);
        Assert.Equal(new ActivationRange(-4f, 2f), calibration.Inputs["first"]);
        Assert.Equal(new ActivationRange(0f, 5f), calibration.Inputs["second"]);
    }

    [Fact]
    public void Calibration_uses_only_the_first_MaxExamples_examples()
    {
        using var model = QuantizationTestModels.TwoLinears();

        var calibration = ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), new CalibrationOptions(MaxExamples: 2));

        Assert.Equal(new ActivationRange(-3f, 2f), calibration.Inputs["first"]);
        Assert.Equal(new ActivationRange(0f, 1f), calibration.Inputs["second"]);
    }

    [Fact]
    public void Calibration_runs_in_evaluation_mode_and_restores_the_mode_and_weights()
    {
        using var model = QuantizationTestModels.TwoLinears();
        var before = model.state_dict().ToDictionary(pair => pair.Key, pair => pair.Value.data<float>().ToArray());
        var modes = new List<bool>();
        var first = (nn.Module<Tensor, Tensor>)model.named_children().First().module;
        var remover = first.register_forward_pre_hook((module, input) =>
        {
            modes.Add(module.training);
            return input;
        });
        model.train();

        ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), new CalibrationOptions());
        remover.remove();

        Assert.Equal([false], modes);
        Assert.True(model.training);
        foreach (var (name, values) in before) Assert.Equal(values, model.state_dict()[name].data<float>().ToArray());
    }

    [Fact]
    public void A_percentile_below_100_clips_a_rare_outlier_to_within_one_histogram_bin()
    {
        // 10,000 values 0 … 9999 and one outlier 1e6 through a one-input layer.
        var values = Enumerable.Range(0, 10_000).Select(i => (float)i).Append(1e6f).ToArray();
        var data = new Dataset(values, [1], null, 2);
        using var model = nn.Sequential(("only", nn.Linear(1, 1)));

        var minMax = ActivationCalibrator.Calibrate(model, data, new CalibrationOptions(BatchSize: 1000));
        var clipped = ActivationCalibrator.Calibrate(model, data, new CalibrationOptions(BatchSize: 1000, Percentile: 99.99));

        Assert.Equal(new ActivationRange(0f, 1e6f), minMax.Inputs["only"]);
        // 0.01 % of 10,001 values is one value: the outlier's bin goes; the bin holding 9999 stays.
        var bin = 1e6 / CalibrationOptions.HistogramBins;
        Assert.Equal(0f, clipped.Inputs["only"].Min);
        Assert.InRange(clipped.Inputs["only"].Max, 9999f, (float)(9999 + bin));
    }

    [Fact]
    public void Percentile_bounds_drop_whole_bins_holding_no_more_than_the_allowed_share_at_each_end()
    {
        // 1,000 values in 10 bins over [0, 10]; 99 % may drop 10 values at each end.
        long[] counts = [4, 6, 90, 400, 0, 300, 150, 40, 9, 1];

        var (low, high) = ActivationCalibrator.PercentileBounds(counts, 0, 10, 99);

        // Bottom: 4 ≤ 10, 4 + 6 = 10 ≤ 10, then 100 > 10, so bins 0 and 1 go. Top: 1, 1 + 9 = 10, then 50: bins 9 and 8 go.
        Assert.Equal(2, low, 12);
        Assert.Equal(8, high, 12);
        Assert.Equal((0.0, 10.0), ActivationCalibrator.PercentileBounds(counts, 0, 10, 100));
    }

    [Fact]
    public void Small_cnn_layers_are_named_as_in_named_modules_and_conv1_sees_the_model_input()
    {
        torch.manual_seed(1);
        using var model = new SmallCnn(1, 4, 4, 8, 16, imageSize: 8);
        var data = QuantizationTestModels.Quadrants(64, 3);

        var calibration = ActivationCalibrator.Calibrate(model, data, new CalibrationOptions(BatchSize: 16));

        Assert.Equal(["conv1", "conv2", "fc1", "fc2"], calibration.Inputs.Keys);
        Assert.Equal(new ActivationRange(data.Features.Span.ToArray().Min(), data.Features.Span.ToArray().Max()), calibration.Inputs["conv1"]);
        // conv2, fc1 and fc2 follow a ReLU.
        Assert.All(calibration.Inputs.Skip(1), pair => Assert.Equal(0f, pair.Value.Min));
        Assert.All(calibration.Inputs.Skip(1), pair => Assert.True(pair.Value.Max > 0));
    }

    [Fact]
    public void Mlp_and_resnet_layers_are_named_as_in_named_modules()
    {
        torch.manual_seed(2);
        using var mlp = new Mlp(64, [16, 8], 4);
        using var resnet = ResNetCifar.ResNet8(1, 4, widthMultiplier: 0.25);
        var data = QuantizationTestModels.Quadrants(8, 4);

        var mlpInputs = ActivationCalibrator.Calibrate(mlp, data, new CalibrationOptions()).Inputs;
        var resnetInputs = ActivationCalibrator.Calibrate(resnet, data, new CalibrationOptions()).Inputs;

        Assert.Equal(["layers.1", "layers.3", "layers.5"], mlpInputs.Keys);
        var expected = new[] { "conv1", "layer1.0.conv1", "layer1.0.conv2", "layer2.0.conv1", "layer2.0.conv2", "layer2.0.shortcut.0",
            "layer3.0.conv1", "layer3.0.conv2", "layer3.0.shortcut.0", "fc" };
        Assert.Equal(expected, resnetInputs.Keys);
        var conv = resnet.named_modules().Where(pair => pair.module is Conv2d or Linear).Select(pair => pair.name);
        Assert.Equal(expected.Order(), conv.Order());
    }

    [Fact]
    public void A_layer_the_model_never_calls_is_reported_by_name()
    {
        using var model = new SkipsALayer();

        var problem = Assert.Throws<InvalidOperationException>(() =>
            ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), new CalibrationOptions()));

        Assert.Contains("Layer 'unused' never ran", problem.Message);
    }

    [Fact]
    public void A_model_without_conv_or_linear_layers_is_refused()
    {
        using var model = nn.Sequential(("relu", nn.ReLU()));

        var problem = Assert.Throws<ArgumentException>(() =>
            ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), new CalibrationOptions()));

        Assert.Contains("no Conv2d or Linear layer", problem.Message);
    }

    [Theory]
    [InlineData(0, 100, null, "CalibrationOptions.BatchSize is 0")]
    [InlineData(8, 100.5, null, "CalibrationOptions.Percentile is 100.5")]
    [InlineData(8, 50, null, "CalibrationOptions.Percentile is 50")]
    [InlineData(8, double.NaN, null, "CalibrationOptions.Percentile is NaN")]
    [InlineData(8, 100, 0, "CalibrationOptions.MaxExamples is 0")]
    public void Bad_options_are_refused_with_the_setting_named(int batchSize, double percentile, int? maxExamples, string message)
    {
        using var model = QuantizationTestModels.TwoLinears();
        var options = new CalibrationOptions(batchSize, percentile, maxExamples);

        var problem = Assert.Throws<ArgumentException>(() => ActivationCalibrator.Calibrate(model, QuantizationTestModels.Rows(ThreeRows), options));

        Assert.Contains(message, problem.Message);
    }

    /// <summary>Registers a Linear it never calls.</summary>
    private sealed class SkipsALayer : nn.Module<Tensor, Tensor>
    {
        private readonly Linear used = nn.Linear(2, 2);

        public SkipsALayer() : base(nameof(SkipsALayer))
        {
            register_module(nameof(used), used);
            register_module("unused", nn.Linear(2, 2));
        }

        public override Tensor forward(Tensor input) => used.call(input);
    }
}
