namespace FedDistill.Security;

/// <summary>
/// What a certificate issued by the federation's CA lets its holder do. The role is written in
/// the certificate subject's organizational unit (OU) as <see cref="FederationRoleNames"/> spells it.
/// </summary>
public enum FederationRole
{
    /// <summary>An organization (hospital) that trains a teacher and acts only as itself.</summary>
    Participant,

    /// <summary>The federation's operator: admin operations (rounds, enrolment) need this role.</summary>
    Admin,

    /// <summary>A silo's TLS server identity; never accepted as a caller.</summary>
    Server,
}
