namespace FedDistill.Grains.Protocol;

/// <summary>What any member may know of the federation.</summary>
/// <param name="Name">The federation's name (the aggregator grain's key).</param>
/// <param name="PublicSet">How to build the public set.</param>
/// <param name="PublicSetFingerprint">SHA-256 of the public set; organizations verify their copy against it.</param>
/// <param name="Examples">Rows of the public set, N: every upload is [N, C].</param>
/// <param name="Classes">Classes C.</param>
/// <param name="StudentVersion">The newest published student (its round number), or 0 before the first.</param>
/// <param name="StudentModel">The student's architecture as <c>model.json</c> (a model spec): what a downloaded state dict loads into.</param>
/// <param name="Privacy">The federation's privacy budget and what its rounds have spent, or null when it has no budget.</param>
[GenerateSerializer, Immutable]
public sealed record FederationInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] PublicSetSpec PublicSet,
    [property: Id(2)] string PublicSetFingerprint,
    [property: Id(3)] int Examples,
    [property: Id(4)] int Classes,
    [property: Id(5)] int StudentVersion,
    [property: Id(6)] string StudentModel,
    [property: Id(7)] PrivacyLedger? Privacy = null);
