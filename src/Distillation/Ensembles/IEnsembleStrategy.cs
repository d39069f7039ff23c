namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// A rule for combining several teachers' logits on the public set into one soft-label target
/// for the student: the contract for the mean, weighted, robust and voting ensembles, each one
/// class, chosen by name through <see cref="EnsembleStrategyFactory"/>.
/// </summary>
/// <remarks>
/// Teachers arrive one at a time (in the federation, one upload per participant), so a strategy
/// does not combine a list: it starts an <see cref="IEnsembleAccumulator"/> that folds each
/// teacher in as it arrives and produces the target once all have been added.
/// </remarks>
public interface IEnsembleStrategy
{
    /// <summary>The name the factory knows this strategy by, e.g. <c>mean-logits</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True when the accumulator must keep every teacher's logits until
    /// <see cref="IEnsembleAccumulator.Finish"/> (order statistics such as the median), so its
    /// memory grows with the number of teachers; false when it folds each teacher into running
    /// sums of a fixed size.
    /// </summary>
    bool RetainsEveryTeacher { get; }

    /// <summary>Starts combining teachers' logits for a public set of the given size.</summary>
    /// <param name="examples">Number of public examples N, at least 1: the rows of every teacher's logits.</param>
    /// <param name="classes">Number of classes C, at least 1: the columns of every teacher's logits.</param>
    /// <returns>A new, empty accumulator owned by the caller, who disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="examples"/> or <paramref name="classes"/> is below 1.</exception>
    IEnsembleAccumulator Begin(int examples, int classes);
}
