namespace FedDistill.Client.Operator;

/// <summary>
/// The console's certificate cannot open the cluster: a file is missing or unreadable, it is not
/// the admin's, not issued by the CA given, expired; or the gateway refused it (or presented a
/// certificate the console refused). Exit code <see cref="OperatorExitCodes.Certificate"/>.
/// </summary>
public sealed class ConsoleCertificateException : Exception
{
    /// <summary>Creates the exception with a message that says what to do.</summary>
    public ConsoleCertificateException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message that says what to do, and its cause.</summary>
    public ConsoleCertificateException(string message, Exception inner) : base(message, inner)
    {
    }
}
