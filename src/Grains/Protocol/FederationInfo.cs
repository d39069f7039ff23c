using FedDistill.Distillation.Models;

namespace FedDistill.Grains.Protocol;

/// <summary>What any member may know of the federation.</summary>
/// <param name="Name">The federation's name.</param>
/// <param name="ProtocolVersion">The wire protocol's version (the <c>/v1</c> of the routes).</param>
/// <param name="PublicSet">How to build the public set.</param>
/// <param name="PublicSetFingerprint">SHA-256 of the public set; participants verify their copy against it.</param>
/// <param name="Examples">Rows of the public set, N: every upload is [N, C].</param>
/// <param name="Classes">Classes C.</param>
/// <param name="StudentVersion">The newest published student (its round number), or 0 before the first.</param>
/// <param name="StudentModel">The student's architecture: what a downloaded state dict loads into.</param>
public sealed record FederationInfo(
    string Name,
    int ProtocolVersion,
    PublicSetSpec PublicSet,
    string PublicSetFingerprint,
    int Examples,
    int Classes,
    int StudentVersion,
    ModelSpec StudentModel);
