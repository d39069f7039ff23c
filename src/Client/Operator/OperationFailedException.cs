namespace FedDistill.Client.Operator;

/// <summary>
/// The operation ran but did not achieve what was asked, e.g. a download whose hash does not
/// match (exit code <see cref="OperatorExitCodes.Failed"/>); the message says what happened.
/// </summary>
public sealed class OperationFailedException : Exception
{
    /// <summary>Creates the exception with a message for the operator.</summary>
    public OperationFailedException(string message) : base(message) { }
}
