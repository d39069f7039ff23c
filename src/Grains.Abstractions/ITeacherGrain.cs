using Orleans.Concurrency;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains;

/// <summary>
/// One private teacher of an organization (keyed <c>organization/teacher</c>). It activates only on
/// its organization's silo, trains on data that never leaves it, keeps its weights in that silo's
/// own storage, and answers with logits on the public set: no method returns weights or examples.
/// </summary>
/// <remarks>
/// Training and inference run on a thread of their own, off the silo's scheduler; the calls that
/// wait for them carry long response timeouts, and status reads interleave with them.
/// <para>Only its own organization's client grain may call it (the operator may read its report).</para>
/// </remarks>
[AllowedCallers(FederationCallers.OwnOrganization)]
public interface ITeacherGrain : IGrainWithStringKey
{
    /// <summary>
    /// Restores the teacher from its checkpoint, or trains it on the private data (normalized with
    /// the public set's constants) and checkpoints it; a prepared teacher returns at once.
    /// </summary>
    /// <exception cref="FederationException">The local public set does not match the fingerprint.</exception>
    [ResponseTimeout("02:00:00")]
    Task<TeacherReport> PrepareAsync(PublicSetSpec publicSet, string fingerprint);

    /// <summary>
    /// The teacher's counts (<see cref="TeacherReport.PrivateExamples"/>, <see cref="TeacherReport.ClassCounts"/>)
    /// without training it: loads its private data if it is not loaded, which
    /// <see cref="PrepareAsync"/> then reuses; a prepared teacher returns its report. A secure round's
    /// organization sizes its weight scale from them before it shares keys.
    /// </summary>
    /// <exception cref="FederationException">The local public set does not match the fingerprint.</exception>
    [ResponseTimeout("00:30:00")]
    [AllowedCallers(FederationCallers.OwnOrganization)]
    Task<TeacherReport> CountExamplesAsync(PublicSetSpec publicSet, string fingerprint);

    /// <summary>What the organization reports of the teacher.</summary>
    [AlwaysInterleave]
    [AllowedCallers(FederationCallers.OwnOrganization | FederationCallers.Admin)]
    Task<TeacherReport> GetReportAsync();

    /// <summary>
    /// Co-distillation's digest: fits the teacher to the federation's consensus on the public set,
    /// then revisits its private data, and checkpoints it.
    /// </summary>
    [ResponseTimeout("02:00:00")]
    Task<TeacherReport> DigestAsync(DigestRequest request);

    /// <summary>The teacher's logits on the public set, row-major [N, C] float32.</summary>
    /// <exception cref="FederationException">The local public set does not match the fingerprint.</exception>
    [ResponseTimeout("00:30:00")]
    Task<float[]> ComputeLogitsAsync(PublicSetSpec publicSet, string fingerprint);
}
