namespace FedDistill.Grains.Protocol;

/// <summary>Why the federation refused a request; each kind maps to one HTTP status on the wire.</summary>
public enum FederationErrorKind
{
    /// <summary>The request is malformed or breaks a rule (wrong shape, dtype, NaN...): 400.</summary>
    Invalid,

    /// <summary>The caller is not who it claims to be, or lacks the role: 403.</summary>
    Forbidden,

    /// <summary>An unknown round, participant or artifact: 404.</summary>
    NotFound,

    /// <summary>The request conflicts with the state (duplicate upload, closed round): 409.</summary>
    Conflict,

    /// <summary>The body exceeds the federation's upload limit: 413.</summary>
    PayloadTooLarge,
}
