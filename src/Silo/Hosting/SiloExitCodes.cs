namespace FedDistill.Silo.Hosting;

/// <summary>
/// The exit codes of <c>feddistill-silo</c> besides 0 (stopped when asked): each tells a
/// supervisor (systemd's <c>Restart=on-failure</c>, Kubernetes) or an operator what happened.
/// </summary>
public static class SiloExitCodes
{
    /// <summary>
    /// Orleans reported a fatal error other than <see cref="DeclaredDead"/>; the log's last
    /// error line says which.
    /// </summary>
    public const int FatalError = 70;

    /// <summary>
    /// The cluster declared this silo dead while it did not answer (frozen, cut off, too slow past
    /// the membership probe limit) and it found out when it came back. A dead member never returns
    /// to the cluster: a fresh process, started again, joins as a new one. (75 is
    /// <c>EX_TEMPFAIL</c>: try again.)
    /// </summary>
    public const int DeclaredDead = 75;

    /// <summary>
    /// The configuration can never work (a setting out of range, a certificate that is not this
    /// site's, a missing file): the silo did not start, and stderr names each bad setting. (78 is
    /// <c>EX_CONFIG</c>.) Starting it again unchanged fails the same way.
    /// </summary>
    public const int InvalidConfiguration = 78;
}
