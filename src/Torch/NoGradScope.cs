using FedDistill.Torch.Interop;

namespace FedDistill.Torch;

/// <summary>
/// Disables autograd recording on the current thread until disposed, restoring the previous
/// setting (as <c>torch.no_grad()</c>). Use for inference and for updates that must not be
/// differentiated.
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _previous;

    private NoGradScope(bool previous) => _previous = previous;

    /// <summary>Starts a scope; dispose it on the same thread.</summary>
    public static NoGradScope Enter()
    {
        NativeMethods.Check(NativeMethods.fd_set_grad_enabled(0, out var previous));
        return new NoGradScope(previous != 0);
    }

    /// <inheritdoc />
    public void Dispose() => NativeMethods.Check(NativeMethods.fd_set_grad_enabled(_previous ? 1 : 0, out _));
}
