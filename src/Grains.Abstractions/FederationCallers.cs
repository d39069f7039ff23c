namespace FedDistill.Grains;

/// <summary>
/// Who may call a method of the federation's grains; the silos' incoming grain call filter
/// enforces it from the caller's identity on the call, never from a claim in its arguments.
/// </summary>
[Flags]
public enum FederationCallers
{
    /// <summary>Nobody.</summary>
    None = 0,

    /// <summary>
    /// The operator: an external Orleans client (the aggregator's gateway admits only the admin's
    /// certificate), or code of the receiving silo itself outside any grain (its web side).
    /// </summary>
    Admin = 1,

    /// <summary>The federation's aggregator grain.</summary>
    Aggregator = 2,

    /// <summary>The client grain of the organization that the called grain belongs to (a teacher's own organization).</summary>
    OwnOrganization = 4,

    /// <summary>Any organization's client grain; the called method checks that it acts only for itself.</summary>
    AnyOrganization = 8,
}
