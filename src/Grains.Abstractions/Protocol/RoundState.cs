using System.Text.Json.Serialization;

namespace FedDistill.Grains.Protocol;

/// <summary>Where a round is in its life; stored and sent as its kebab-case name (see <see cref="RoundStates"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RoundState>))]
[GenerateSerializer]
public enum RoundState
{
    /// <summary>Accepting uploads until every participant uploaded, or the deadline.</summary>
    Open,

    /// <summary>Uploads closed; the aggregator is distilling the student.</summary>
    Distilling,

    /// <summary>The student of this round is published.</summary>
    Completed,

    /// <summary>The quorum was not reached by the deadline, or distillation failed.</summary>
    Failed,

    /// <summary>An admin cancelled it.</summary>
    Cancelled,
}
