using System.Diagnostics.CodeAnalysis;

namespace FedDistill.Security;

/// <summary>
/// The spelling of each <see cref="FederationRole"/> on the wire: in a certificate's OU, in a
/// role claim and in configuration. Lower case, stable: changing one invalidates issued certificates.
/// </summary>
public static class FederationRoleNames
{
    /// <summary>The OU of a participant certificate.</summary>
    public const string Participant = "participant";

    /// <summary>The OU of an admin certificate.</summary>
    public const string Admin = "admin";

    /// <summary>The OU of a silo's server certificate.</summary>
    public const string Server = "server";

    /// <summary>Returns the wire name of <paramref name="role"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined role.</exception>
    public static string ToName(FederationRole role) => role switch
    {
        FederationRole.Participant => Participant,
        FederationRole.Admin => Admin,
        FederationRole.Server => Server,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a federation role."),
    };

    /// <summary>Parses a wire name (exact, lower case) back into a role.</summary>
    /// <param name="name">The OU or claim value.</param>
    /// <param name="role">The role when the name is known.</param>
    /// <returns>Whether <paramref name="name"/> names a role.</returns>
    public static bool TryParse([NotNullWhen(true)] string? name, out FederationRole role)
    {
        switch (name)
        {
            case Participant: role = FederationRole.Participant; return true;
            case Admin: role = FederationRole.Admin; return true;
            case Server: role = FederationRole.Server; return true;
            default: role = default; return false;
        }
    }
}
