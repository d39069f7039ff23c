using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Tests.Evaluation;

/// <summary>
/// A "model" whose examples are its logits: it returns its input, so a test controls the logits
/// exactly. It carries one unused parameter of <c>parameterCount</c> elements so size and
/// compression have something to measure.
/// </summary>
internal sealed class LogitsPassThrough : nn.Module<Tensor, Tensor>
{
    public LogitsPassThrough(long parameterCount) : base(nameof(LogitsPassThrough)) =>
        register_parameter("offset", nn.Parameter(torch.zeros(parameterCount)));

    public override Tensor forward(Tensor input) => input.clone();
}
