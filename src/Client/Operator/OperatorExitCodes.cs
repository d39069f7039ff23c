namespace FedDistill.Client.Operator;

/// <summary>
/// The exit codes of the operator's console (<c>federation</c>, <c>participants</c>, <c>rounds</c>,
/// <c>students</c>); scripts can rely on them (docs/console.md).
/// </summary>
public static class OperatorExitCodes
{
    /// <summary>The operation succeeded (for <c>rounds watch</c>: the round completed).</summary>
    public const int Succeeded = 0;

    /// <summary>The operation ran but failed: the watched round failed or was cancelled, a download did not verify, a file could not be written.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or input (an unknown option, a value out of range); nothing was sent and nothing changed.</summary>
    public const int InvalidUsage = 2;

    /// <summary>The federation could not be reached (no gateway answered in time, a call timed out).</summary>
    public const int Unreachable = 3;

    /// <summary>The federation refused the request (unknown round, conflict, forbidden...); its reason and detail go to standard error.</summary>
    public const int Refused = 4;

    /// <summary>
    /// The console's certificate was refused: missing or unreadable files, not the admin's, not
    /// issued by the federation's CA, expired, or not accepted by the gateway; or the gateway's own
    /// certificate was not the aggregator's. Nothing was sent.
    /// </summary>
    public const int Certificate = 5;
}
