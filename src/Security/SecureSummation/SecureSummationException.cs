namespace FedDistill.Security.SecureSummation;

/// <summary>
/// A secure-summation step refused its input: a key advertisement that is not bound to a
/// certificate of the federation's CA, a share that does not decrypt, too few organizations left
/// for the threshold, or a request that would reveal more than the protocol allows. The message
/// names the organization and the reason; nothing was changed.
/// </summary>
public sealed class SecureSummationException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public SecureSummationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public SecureSummationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
