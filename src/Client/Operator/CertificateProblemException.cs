namespace FedDistill.Client.Operator;

/// <summary>
/// The console's certificate settings cannot work: an option is missing or a file cannot be read
/// (exit code <see cref="OperatorExitCodes.CertificateProblem"/>); the message says what to do.
/// </summary>
public sealed class CertificateProblemException : Exception
{
    /// <summary>Creates the exception with a message for the operator.</summary>
    public CertificateProblemException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public CertificateProblemException(string message, Exception innerException) : base(message, innerException) { }
}
