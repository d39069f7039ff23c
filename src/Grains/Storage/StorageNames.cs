namespace FedDistill.Grains.Storage;

/// <summary>
/// The grain storage providers the grains ask for by name. Each silo registers only its own:
/// the aggregator's silo the federation's, an organization's silo its private one, so an
/// organization's state cannot even be written on another site.
/// </summary>
public static class StorageNames
{
    /// <summary>The federation's small state (participants, rounds, rejections): Azure tables.</summary>
    public const string Federation = "federation";

    /// <summary>The federation's large artifacts (uploaded logits, consensus, students): Azure blobs.</summary>
    public const string FederationArtifacts = "federation-artifacts";

    /// <summary>An organization's private state (teacher checkpoints), on its own storage account: Azure blobs.</summary>
    public const string Organization = "organization";
}
