namespace FedDistill.Grains.Aggregator;

/// <summary>
/// What the aggregator has accepted of an open secure round, stored with the round (the table
/// state) so that a restarted aggregator resumes the protocol where it stood. Each accepted step's
/// payload (a key advertisement, a list of encrypted share bundles, a survivor's revealed shares)
/// is an artifact (<c>secure/N/keys/org</c>, <c>secure/N/shares/org</c>, <c>secure/N/reveals/org</c>)
/// written before its id is added here, as an upload's payload is written before its
/// <see cref="UploadRecord"/>; masked uploads are the round's ordinary uploads. Nothing here or in
/// those artifacts can rebuild an organization's upload: keys are public, bundles are encrypted to
/// peers, and a survivor reveals shares of survivors' self-mask seeds only (never of their masking keys).
/// </summary>
[GenerateSerializer]
public sealed class SecureRoundRecord
{
    /// <summary>The organizations the round opened for, in ordinal order: they fix the ring (its summand count) and who must advertise.</summary>
    [Id(0)]
    public List<string> Organizations { get; set; } = [];

    /// <summary>The protocol's phase.</summary>
    [Id(1)]
    public SecurePhase Phase { get; set; }

    /// <summary>Organizations whose signed keys were accepted, in order.</summary>
    [Id(2)]
    public List<string> Advertised { get; set; } = [];

    /// <summary>Organizations whose share bundles were accepted, in order.</summary>
    [Id(3)]
    public List<string> Shared { get; set; } = [];

    /// <summary>The survivors named when the reveal phase began (whose masked uploads were added).</summary>
    [Id(4)]
    public List<string> Survivors { get; set; } = [];

    /// <summary>When the survivors' reveals are due; set when the reveal phase begins.</summary>
    [Id(5)]
    public DateTimeOffset? RevealDeadline { get; set; }

    /// <summary>Survivors whose revealed shares were accepted, in order.</summary>
    [Id(6)]
    public List<string> Revealed { get; set; } = [];

    // [Id(7)] held a weight scale the aggregator set from reports; the organizations' signed keys now state it. Not reused.

}
