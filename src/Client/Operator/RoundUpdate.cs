using System.Text.Json.Serialization;
using FedDistill.Grains.Protocol;

namespace FedDistill.Client.Operator;

/// <summary>
/// One thing <c>rounds watch</c> learned about the federation: the snapshot it starts from, or one
/// notification of the aggregator (<see cref="FedDistill.Grains.IRoundObserver"/>). With
/// <c>--json</c> each is one line of JSON; exactly one of the payload members is set, as
/// <see cref="Kind"/> says.
/// </summary>
/// <param name="Kind"><c>snapshot</c>, <c>round</c>, <c>upload</c>, <c>refusal</c>, <c>progress</c>, <c>epoch</c> or <c>published</c>.</param>
/// <param name="At">When the console received it.</param>
/// <param name="Sequence">The aggregator's number of the notification (for <c>snapshot</c>: of its last one before the subscription); updates are handed on in this order.</param>
/// <param name="Snapshot">For <c>snapshot</c>: the round and the participants when the subscription took effect.</param>
/// <param name="Round">For <c>round</c>: the round after a change (opened, an upload added, distilling, ended).</param>
/// <param name="Upload">For <c>upload</c>: an accepted upload.</param>
/// <param name="Refusal">For <c>refusal</c>: a refused request of an organization, with its reason.</param>
/// <param name="Progress">For <c>progress</c>: an organization's status report.</param>
/// <param name="Epoch">For <c>epoch</c>: one finished epoch of the student's distillation.</param>
/// <param name="Published">For <c>published</c>: the round's published student.</param>
public sealed record RoundUpdate(
    string Kind,
    DateTimeOffset At,
    long Sequence,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RoundSubscription? Snapshot = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RoundInfo? Round = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] UploadAcceptedNotice? Upload = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RejectionInfo? Refusal = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ParticipantProgressNotice? Progress = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] StudentEpochNotice? Epoch = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] StudentPublishedNotice? Published = null)
{
    /// <summary>The round this update is about, or null when it names none (a refusal outside rounds).</summary>
    [JsonIgnore]
    public int? RoundNumber => Snapshot?.Round.Round ?? Round?.Round ?? Upload?.Round ?? Refusal?.Round ?? Progress?.Report.Round ?? Epoch?.Round ?? Published?.Round;

    /// <summary>The round's final state when this update ends it (a <c>round</c> update in a final state), else null.</summary>
    [JsonIgnore]
    public RoundInfo? Final => (Round ?? Snapshot?.Round) is { } info && info.State.IsFinal() ? info : null;
}
