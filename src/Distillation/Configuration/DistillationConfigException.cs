namespace FedDistill.Distillation.Configuration;

/// <summary>
/// A distillation configuration that cannot be run: invalid JSON, an unknown key, a value of the
/// wrong type, or settings that break a rule. <see cref="Errors"/> lists every problem found, each
/// naming its source, the key path (<c>$.trainer.epochs</c>) and what is allowed.
/// </summary>
public sealed class DistillationConfigException : Exception
{
    /// <summary>Creates the exception from one or more problems; the message joins them with new lines.</summary>
    /// <exception cref="ArgumentException"><paramref name="errors"/> is empty.</exception>
    public DistillationConfigException(IReadOnlyList<string> errors)
        : base(Join(errors))
    {
        Errors = errors.ToArray();
    }

    /// <summary>Creates the exception from one problem.</summary>
    public DistillationConfigException(string error)
        : this([error])
    {
    }

    /// <summary>Every problem, one line each, in the order found.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Join(IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0) throw new ArgumentException("A configuration exception needs at least one error.", nameof(errors));
        return string.Join(Environment.NewLine, errors);
    }
}
