using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// One ensemble in progress: teachers are added one at a time, then <see cref="Finish"/> turns
/// them into the soft-label target. Single use: after <see cref="Finish"/> it accepts nothing more.
/// </summary>
/// <remarks>
/// <para>
/// The target is always returned as logits so that one knowledge-distillation loss serves every
/// strategy. Strategies that combine logits (<c>mean-logits</c>, <c>fixed-weights</c>,
/// <c>accuracy-weighted</c>, <c>median</c>, <c>trimmed-mean</c>) return the combined logits
/// unchanged. Strategies that combine probabilities soften each teacher with
/// <see cref="EnsembleOptions.Temperature"/> T, build an ensemble distribution q, and return
/// T · log q. A loss that softens with the same T then recovers q exactly, because
/// softmax(T · log q / T) = q; so set <see cref="EnsembleOptions.Temperature"/> to the
/// distillation loss's temperature (T = 1 returns plain log-probabilities).
/// </para>
/// <para>
/// The accumulator never keeps or frees a contribution's tensor: it copies what it needs. It owns
/// the running sums (or retained copies) it holds and frees them in <see cref="IDisposable.Dispose"/>
/// or as soon as <see cref="Finish"/> has used them.
/// </para>
/// <para>Not thread-safe: one caller (in the federation, the round's aggregator) adds the teachers.</para>
/// </remarks>
public interface IEnsembleAccumulator : IDisposable
{
    /// <summary>Number of teachers added so far.</summary>
    int TeacherCount { get; }

    /// <summary>
    /// Bytes of tensor memory the accumulator holds right now: constant in the number of teachers
    /// for streaming strategies, growing by one teacher's logits per teacher for those with
    /// <see cref="IEnsembleStrategy.RetainsEveryTeacher"/>; zero once finished or disposed.
    /// </summary>
    long RetainedBytes { get; }

    /// <summary>
    /// Each teacher's share of the ensemble, normalized to sum to 1, for strategies that weight a
    /// teacher by one number (the means, <c>fixed-weights</c>, <c>accuracy-weighted</c>,
    /// <c>ds-fl</c>); <see langword="null"/> for those whose weights vary by example or class, or
    /// that use no weights (entropy, per-class, vote, median, trimmed mean). Keyed by teacher id;
    /// every share is 0 while all weights are zero. A new dictionary each call.
    /// </summary>
    IReadOnlyDictionary<string, double>? TeacherWeights { get; }

    /// <summary>
    /// Folds one teacher's logits into the ensemble. The contribution's tensor is read, not kept:
    /// the caller still owns it and may dispose or overwrite it afterwards.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The logits are not [N, C], hold NaN or infinite values, the teacher already contributed, or
    /// the strategy needs something the contribution lacks (a weight, an accuracy, per-class
    /// weights). The message names the teacher and the problem, and the accumulator is unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="Finish"/> has already been called.</exception>
    /// <exception cref="ObjectDisposedException">The accumulator has been disposed.</exception>
    void Add(TeacherContribution contribution);

    /// <summary>
    /// Combines the teachers added so far into the ensemble target: an [N, C] float32 tensor of
    /// logits (see the remarks on the temperature) on the first teacher's device, owned by the
    /// caller or by the <see cref="DisposeScope"/> open when it is called.
    /// </summary>
    /// <exception cref="InvalidOperationException">No teacher was added, every weight is zero, or <see cref="Finish"/> was already called.</exception>
    /// <exception cref="ObjectDisposedException">The accumulator has been disposed.</exception>
    Tensor Finish();
}
