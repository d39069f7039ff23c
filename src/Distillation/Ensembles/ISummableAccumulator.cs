namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// An accumulator whose whole state is a vector of sums over teachers, so that it can be split
/// across organizations: each folds in its own teachers and exports its sums
/// (<see cref="ExportSums"/>), the sums are added up (in the clear or by secure summation), and an
/// empty accumulator imports the total (<see cref="ImportSums"/>) and finishes exactly as if it had
/// seen every teacher itself.
/// </summary>
public interface ISummableAccumulator : IEnsembleAccumulator
{
    /// <summary>Length of the sum vector: the strategy's running sums, flattened, then the teacher count as the last element.</summary>
    int SumLength { get; }

    /// <summary>The running sums of the teachers added so far, flattened, with the teacher count last; a new array the caller owns.</summary>
    /// <exception cref="InvalidOperationException">No teacher has been added, or the accumulator is finished.</exception>
    float[] ExportSums();

    /// <summary>
    /// Takes <paramref name="sums"/> (the element-wise total of several accumulators' <see cref="ExportSums"/>)
    /// as this accumulator's state; <see cref="IEnsembleAccumulator.Finish"/> then combines it.
    /// Per-teacher weights (<see cref="IEnsembleAccumulator.TeacherWeights"/>) are not known from sums.
    /// </summary>
    /// <exception cref="InvalidOperationException">Teachers were already added or sums imported.</exception>
    /// <exception cref="ArgumentException">The length is not <see cref="SumLength"/>, a sum is not finite, or the teacher count is below 1.</exception>
    void ImportSums(ReadOnlySpan<double> sums);
}
