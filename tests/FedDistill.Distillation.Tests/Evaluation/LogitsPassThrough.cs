using FedDistill.Torch;
using FedDistill.Torch.Nn;

namespace FedDistill.Distillation.Tests.Evaluation;

/// <summary>
/// A "model" whose examples are its logits: it returns its input, so a test controls the logits
/// exactly. It carries one unused parameter of <c>parameterCount</c> elements so size and
/// compression have something to measure.
/// </summary>
internal sealed class LogitsPassThrough : Module
{
    public LogitsPassThrough(long parameterCount) => RegisterParameter("offset", Tensor.Zeros([parameterCount]));

    public override Tensor Forward(Tensor input) => input.Clone();
}
