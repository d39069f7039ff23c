using FedDistill.Distillation.Compression.Pruning;
using FedDistill.Distillation.Models;

namespace FedDistill.Client.Compression;

/// <summary>What <c>feddistill compress</c> or <c>feddistill students compress</c> did and measured; written as <c>report.json</c> and printed with <c>--json</c>.</summary>
/// <param name="Student">The student compressed: the absolute path of its directory, or the federation, version and SHA-256 of a published student.</param>
/// <param name="Output">The absolute path of the output directory.</param>
/// <param name="Model">The compressed student's model spec (written as <c>model.json</c>; narrower widths after structured pruning).</param>
/// <param name="Prune">The pruning kind, or null when the student was not pruned.</param>
/// <param name="Sparsity">The requested sparsity when pruned, else null.</param>
/// <param name="Int8">How the int8 model was made: <c>none</c>, <c>ptq</c> or <c>qat</c>.</param>
/// <param name="FineTuneEpochs">Epochs of fine-tuning after pruning and of quantization-aware training.</param>
/// <param name="Teacher">What the fine-tuning distilled from: the uncompressed student's logits on the public examples (self-distillation, <c>feddistill compress</c>), or the round's distillation target (<c>feddistill students compress</c>).</param>
/// <param name="PublicExamples">Unlabeled public examples used for fine-tuning and calibration.</param>
/// <param name="TestExamples">Fashion-MNIST test images evaluated on.</param>
/// <param name="Normalization">The input normalization the student was evaluated, fine-tuned and calibrated with (the ONNX files expect inputs normalized so).</param>
/// <param name="Original">The student as given.</param>
/// <param name="Compressed">The compressed student in float: in TorchSharp and as <c>student.onnx</c> in ONNX Runtime.</param>
/// <param name="Quantized">The int8 model, or null without <c>--int8</c>.</param>
/// <param name="Layers">Per Conv2d and Linear layer, what pruning did (shapes, nonzero weights), or null when not pruned.</param>
/// <param name="ElapsedSeconds">Wall-clock time of the whole command.</param>
public sealed record CompressionReport(
    string Student,
    string Output,
    ModelSpec Model,
    string? Prune,
    double? Sparsity,
    string Int8,
    int FineTuneEpochs,
    string Teacher,
    int PublicExamples,
    int TestExamples,
    NormalizationSummary Normalization,
    ModelMeasurement Original,
    ModelMeasurement Compressed,
    Int8Measurement? Quantized,
    IReadOnlyList<PrunedLayer>? Layers,
    double ElapsedSeconds);
