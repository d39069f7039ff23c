namespace FedDistill.Client.Operator;

/// <summary>
/// Bad usage or input found before anything was sent (exit code <see cref="OperatorExitCodes.InvalidUsage"/>);
/// the message names the option and what is allowed.
/// </summary>
public sealed class OperatorUsageException : Exception
{
    /// <summary>Creates the exception with a message for the operator.</summary>
    public OperatorUsageException(string message) : base(message) { }
}
