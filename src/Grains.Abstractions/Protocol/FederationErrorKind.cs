namespace FedDistill.Grains.Protocol;

/// <summary>Why the federation refused a request; the console maps each kind to one exit code.</summary>
[GenerateSerializer]
public enum FederationErrorKind
{
    /// <summary>The request is malformed or breaks a rule (wrong shape, dtype, NaN...).</summary>
    Invalid,

    /// <summary>The caller is not who it claims to be, or lacks the role.</summary>
    Forbidden,

    /// <summary>An unknown round, participant or artifact.</summary>
    NotFound,

    /// <summary>The request conflicts with the state (duplicate upload, closed round).</summary>
    Conflict,

    /// <summary>The payload exceeds the federation's limit.</summary>
    PayloadTooLarge,

    /// <summary>The organization's silo is not in the cluster, so its grains cannot run anywhere.</summary>
    Unavailable,
}
