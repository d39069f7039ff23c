using TorchSharp;
using static TorchSharp.torch;

namespace FedDistill.Distillation.Ensembles;

/// <summary>
/// The part every ensemble shares: it checks each contribution (shape, finiteness, duplicates),
/// copies it to float32 on the first teacher's device, keeps the accumulator single-use, and owns
/// the tensors a strategy retains. A strategy overrides <see cref="Accumulate"/> and
/// <see cref="Combine"/>, and <see cref="ValidateContribution"/> when it needs more than logits.
/// </summary>
public abstract class EnsembleAccumulator : IEnsembleAccumulator
{
    private readonly HashSet<string> _teacherIds = new(StringComparer.Ordinal);
    private readonly List<Tensor> _retained = new();
    private Device? _device;
    private bool _finished;
    private bool _disposed;

    /// <summary>Starts an empty ensemble for [<paramref name="examples"/>, <paramref name="classes"/>] logits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    protected EnsembleAccumulator(int examples, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(examples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Examples = examples;
        Classes = classes;
    }

    /// <summary>Number of public examples N: the rows of every teacher's logits.</summary>
    public int Examples { get; }

    /// <summary>Number of classes C: the columns of every teacher's logits.</summary>
    public int Classes { get; }

    /// <inheritdoc />
    public int TeacherCount { get; private set; }

    /// <inheritdoc />
    public long RetainedBytes => _retained.Where(tensor => !tensor.IsInvalid).Sum(tensor => tensor.numel() * tensor.ElementSize);

    /// <summary>Number of tensors the accumulator holds right now (running sums or retained copies).</summary>
    public int RetainedTensorCount => _retained.Count(tensor => !tensor.IsInvalid);

    /// <inheritdoc />
    public virtual IReadOnlyDictionary<string, double>? TeacherWeights => null;

    /// <summary>The device of the first teacher's logits, where every running sum lives.</summary>
    /// <exception cref="InvalidOperationException">Read before the first <see cref="Accumulate"/> call.</exception>
    protected Device Device => _device ?? throw new InvalidOperationException("The device is known once the first teacher arrives.");

    /// <inheritdoc />
    public void Add(TeacherContribution contribution)
    {
        ArgumentNullException.ThrowIfNull(contribution);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            throw new InvalidOperationException("This ensemble has already been finished; begin a new accumulator for the next round.");

        var teacher = contribution.TeacherId;
        if (string.IsNullOrWhiteSpace(teacher))
            throw new ArgumentException("A teacher contribution needs a non-empty TeacherId.", nameof(contribution));
        if (_teacherIds.Contains(teacher))
            throw new ArgumentException($"Teacher '{teacher}' has already contributed to this ensemble; each teacher is added once.", nameof(contribution));
        var logits = contribution.Logits;
        if (logits is null || logits.IsInvalid)
            throw new ArgumentException($"Teacher '{teacher}' sent no logits (null or disposed).", nameof(contribution));
        var shape = logits.shape;
        if (shape.Length != 2 || shape[0] != Examples || shape[1] != Classes)
        {
            throw new ArgumentException(
                $"Teacher '{teacher}' sent logits of shape [{string.Join(", ", shape)}]; this ensemble expects [{Examples}, {Classes}] (public examples × classes).",
                nameof(contribution));
        }

        if (!logits.is_floating_point())
            throw new ArgumentException($"Teacher '{teacher}' sent {logits.dtype} logits; logits must be floating point.", nameof(contribution));
        ValidateContribution(contribution);

        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var device = _device ?? logits.device;
        // Compared as float32, the dtype the ensemble sums in: a float64 logit beyond its range is as unusable as an infinity.
        // A no-op conversion shares the caller's storage, so nothing below writes into it.
        var converted = logits.detach().to(ScalarType.Float32, device);
        RequireFinite(teacher, converted);

        _device = device;
        Accumulate(contribution, converted);
        _teacherIds.Add(teacher);
        TeacherCount++;
    }

    /// <inheritdoc />
    public Tensor Finish()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished)
            throw new InvalidOperationException("This ensemble has already been finished; begin a new accumulator for the next round.");
        if (TeacherCount == 0)
            throw new InvalidOperationException("No teacher has been added; an ensemble needs at least one.");

        Tensor result;
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            result = Combine();
            // By reference: a tensor's Equals compares elements.
            if (_retained.Any(tensor => ReferenceEquals(tensor, result)))
                throw new InvalidOperationException($"{GetType().Name}.{nameof(Combine)} must return a tensor it created, not one it retains.");
            result.MoveToOuterDisposeScope();
        }

        _finished = true;
        ReleaseRetained();
        return result;
    }

    /// <summary>Frees every tensor the accumulator retains. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ReleaseRetained();
    }

    /// <summary>
    /// Checks what the strategy needs beyond the logits (a weight, an accuracy) before anything
    /// changes; throw <see cref="ArgumentException"/> naming the teacher to reject the contribution.
    /// </summary>
    /// <param name="contribution">The contribution being added; its logits already have the right shape.</param>
    protected virtual void ValidateContribution(TeacherContribution contribution)
    {
    }

    /// <summary>
    /// Folds one validated teacher into the running state. Runs inside a dispose scope with
    /// autograd off: intermediates are freed on return, and anything kept must go through
    /// <see cref="Retain"/>.
    /// </summary>
    /// <param name="contribution">The contribution, for its weights and id.</param>
    /// <param name="logits">
    /// The teacher's finite [N, C] float32 logits on <see cref="Device"/>. It may share storage
    /// with the caller's tensor and is freed on return: clone it to keep it.
    /// </param>
    protected abstract void Accumulate(TeacherContribution contribution, Tensor logits);

    /// <summary>
    /// Turns the running state into the [N, C] ensemble logits (see <see cref="IEnsembleAccumulator"/>
    /// on the temperature). Runs inside a dispose scope with autograd off, at least one teacher
    /// having been added; must return a tensor created during the call. Throw
    /// <see cref="InvalidOperationException"/> when the state admits no ensemble (every weight zero).
    /// </summary>
    protected abstract Tensor Combine();

    /// <summary>
    /// Takes ownership of <paramref name="tensor"/> (out of any dispose scope) until the accumulator
    /// finishes or is disposed; it then counts towards <see cref="RetainedBytes"/>. Returns it.
    /// </summary>
    protected Tensor Retain(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _retained.Add(tensor.DetachFromDisposeScope());
        return tensor;
    }

    /// <summary>A retained float32 tensor of zeros on <see cref="Device"/>, for a running sum.</summary>
    protected Tensor RetainZeros(params long[] shape) => Retain(torch.zeros(shape, ScalarType.Float32, Device));

    /// <summary>For an <see cref="ISummableAccumulator"/>: checks that its sums may be exported (teachers were added, it is not finished).</summary>
    protected void RequireExportable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished) throw new InvalidOperationException("This ensemble has been finished; its sums are gone.");
        if (TeacherCount == 0) throw new InvalidOperationException("No teacher has been added, so there are no sums to export.");
    }

    /// <summary>
    /// For an <see cref="ISummableAccumulator"/>: checks summed state of <paramref name="expectedLength"/>
    /// elements (teacher count last) and takes it as this empty accumulator's teachers, on the CPU.
    /// </summary>
    /// <returns>The teacher count the sums stand for.</returns>
    protected int AdoptSums(ReadOnlySpan<double> sums, int expectedLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished || TeacherCount > 0) throw new InvalidOperationException("Sums are imported into an empty accumulator only.");
        if (sums.Length != expectedLength)
            throw new ArgumentException($"{sums.Length} sums; this ensemble of {Examples} × {Classes} needs {expectedLength}.", nameof(sums));
        for (var i = 0; i < sums.Length; i++)
        {
            if (!double.IsFinite(sums[i])) throw new ArgumentException($"Sum {i} is {sums[i]}; every sum must be finite.", nameof(sums));
        }
        // The count went through fixed point like every other sum, so it is rounded back to an integer.
        var teachers = Math.Round(sums[^1]);
        if (teachers < 1 || teachers > int.MaxValue) throw new ArgumentException($"The sums stand for {sums[^1]} teachers; at least 1 is needed.", nameof(sums));
        _device = torch.CPU;
        TeacherCount = (int)teachers;
        return TeacherCount;
    }

    /// <summary>Copies a retained float32 tensor's elements into <paramref name="destination"/> from <paramref name="offset"/>.</summary>
    protected static void CopyOut(Tensor tensor, float[] destination, int offset)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var values = tensor.cpu().contiguous().data<float>().ToArray();
        Array.Copy(values, 0, destination, offset, values.Length);
    }

    /// <summary>Retains a new float32 CPU tensor of <paramref name="shape"/> holding <paramref name="values"/>.</summary>
    protected Tensor RetainFrom(ReadOnlySpan<double> values, params long[] shape)
    {
        var data = new float[values.Length];
        for (var i = 0; i < values.Length; i++) data[i] = (float)values[i];
        return Retain(torch.tensor(data, shape));
    }

    private static void RequireFinite(string teacher, Tensor logits)
    {
        // One boolean read back on the common path; the counts only when there is something to report.
        if (logits.isfinite().all().item<bool>()) return;
        var nonFinite = logits.numel() - logits.isfinite().sum().item<long>();
        var notANumber = logits.isnan().sum().item<long>();
        throw new ArgumentException(
            $"Teacher '{teacher}' sent {notANumber} NaN and {nonFinite - notANumber} infinite logits (as float32); every logit must be finite.",
            "contribution");
    }

    private void ReleaseRetained()
    {
        foreach (var tensor in _retained) tensor.Dispose();
        _retained.Clear();
    }
}
