using FedDistill.Distillation.Ensembles;
using TorchSharp;

namespace FedDistill.Grains.Protocol;

/// <summary>
/// One teacher's logits as an ensemble contribution, the same on the aggregator (plain rounds)
/// and in an organization (secure rounds, where it folds its own teachers before masking the
/// sums), so that both kinds of round weight a teacher alike.
/// </summary>
internal static class TeacherContributions
{
    /// <summary>The contribution of <paramref name="teacher"/> (logits in the current dispose scope) and its arg-max per public example.</summary>
    /// <param name="participantId">The organization.</param>
    /// <param name="teacher">Its report and row-major [N, C] logits.</param>
    /// <param name="classes">C.</param>
    /// <param name="validationLabels">Labels of the first public examples, measured for <c>accuracy-weighted</c>; empty for none.</param>
    /// <param name="weightScale">
    /// What the count-based weights (private examples, class counts) are divided by: a secure
    /// round's public weight scale, so that the organization's sums fit the ring; 1 in a plain
    /// round. A weighted mean is the same for any scale common to all teachers.
    /// </param>
    public static (TeacherContribution Contribution, int[] Predictions, double? Accuracy) Create(string participantId, DecodedTeacherLogits teacher, int classes, int[] validationLabels,
        double weightScale = 1.0)
    {
        var logits = torch.tensor(teacher.Logits, new long[] { teacher.Logits.Length / classes, classes });
        var predictions = Aggregator.Agreement.ArgMaxRows(teacher.Logits, classes);
        double? accuracy = validationLabels.Length == 0 ? null : Aggregator.Agreement.Accuracy(predictions, validationLabels);
        var contribution = new TeacherContribution($"{participantId}/{teacher.Report.TeacherId}", logits)
        {
            ValidationAccuracy = accuracy,
            PerClassWeights = teacher.Report.ClassCounts.Select(count => count / weightScale).ToArray(),
            Weight = teacher.Report.PrivateExamples / weightScale,
        };
        return (contribution, predictions, accuracy);
    }
}
