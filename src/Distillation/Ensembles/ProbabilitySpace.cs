using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// The two conversions every probability-space strategy makes: a teacher's logits to softened
/// probabilities, and the ensemble distribution back to logits a loss at the same temperature
/// turns into that distribution again.
/// </summary>
internal static class ProbabilitySpace
{
    /// <summary>
    /// Probabilities are floored here before the logarithm so that a class every teacher rules out
    /// (softmax underflow in float32) gets a very negative but finite logit instead of -∞, which
    /// would poison any loss that is not a softmax. The floor moves q by at most C · 1e-30.
    /// </summary>
    public const double Floor = 1e-30;

    /// <summary>softmax(logits / T) over classes; a new tensor, never <paramref name="logits"/> itself.</summary>
    public static Tensor Soften(Tensor logits, double temperature) =>
        nn.functional.softmax(temperature == 1.0 ? logits : logits / temperature, 1);

    /// <summary>log softmax(logits / T) over classes, stable for confident teachers; a new tensor.</summary>
    public static Tensor LogSoften(Tensor logits, double temperature) =>
        nn.functional.log_softmax(temperature == 1.0 ? logits : logits / temperature, 1);

    /// <summary>
    /// T · log(max(q, <see cref="Floor"/>)): logits whose softmax at temperature T is q. Leaves
    /// <paramref name="probabilities"/> unchanged; the logarithm and the scaling are done in place
    /// on the clamped copy, so the call allocates one [N, C] tensor.
    /// </summary>
    public static Tensor ToLogits(Tensor probabilities, double temperature)
    {
        var logProbabilities = probabilities.clamp_min(Floor).log_();
        return temperature == 1.0 ? logProbabilities : logProbabilities.mul_(temperature);
    }

    /// <summary>Throws unless <paramref name="value"/> is a positive finite temperature.</summary>
    public static double RequireTemperature(double value, string parameterName)
    {
        if (!(value > 0.0) || double.IsPositiveInfinity(value))
            throw new ArgumentOutOfRangeException(parameterName, value, "A temperature must be a positive finite number.");
        return value;
    }
}
