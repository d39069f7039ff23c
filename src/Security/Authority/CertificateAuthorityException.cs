namespace FedDistill.Security;

/// <summary>
/// A certificate authority or certificate file could not be created, loaded or written: missing or
/// corrupt files, a key that does not match its certificate, a CA that already exists, or an
/// unsafe key file. The message says which file and what to do.
/// </summary>
public sealed class CertificateAuthorityException : Exception
{
    /// <summary>Creates the exception with a message for people to read.</summary>
    public CertificateAuthorityException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public CertificateAuthorityException(string message, Exception innerException) : base(message, innerException) { }
}
