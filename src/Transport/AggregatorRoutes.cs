using System.Globalization;

namespace FedDistill.Transport;

/// <summary>
/// The aggregator's HTTP routes, shared by the silo that maps them and the clients that call
/// them, so the two cannot drift. Everything lives under the protocol version's prefix.
/// </summary>
public static class AggregatorRoutes
{
    /// <summary>The version prefix of every route.</summary>
    public const string Prefix = "/v1";

    /// <summary>The media type of tensor bodies (safetensors).</summary>
    public const string SafetensorsMediaType = "application/vnd.feddistill.safetensors";

    /// <summary><c>GET</c>: the federation.</summary>
    public const string Federation = Prefix + "/federation";

    /// <summary><c>GET</c>, <c>POST</c> (admin): participants.</summary>
    public const string Participants = Prefix + "/participants";

    /// <summary><c>GET</c>, <c>POST</c> (admin): rounds.</summary>
    public const string Rounds = Prefix + "/rounds";

    /// <summary>One participant (<c>DELETE</c>, admin).</summary>
    public static string Participant(string participantId) => $"{Participants}/{Uri.EscapeDataString(participantId)}";

    /// <summary><c>POST</c> (the participant itself): heartbeat.</summary>
    public static string Report(string participantId) => Participant(participantId) + "/report";

    /// <summary><c>GET</c> (the participant itself): its work, 204 when none.</summary>
    public static string Assignment(string participantId) => Participant(participantId) + "/assignment";

    /// <summary><c>GET</c>: one round.</summary>
    public static string Round(int round) => $"{Rounds}/{round.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><c>POST</c> (admin): cancel a round.</summary>
    public static string CancelRound(int round) => Round(round) + "/cancel";

    /// <summary><c>PUT</c> (the participant itself): its soft labels for a round, safetensors.</summary>
    public static string Upload(int round, string participantId) => $"{Round(round)}/uploads/{Uri.EscapeDataString(participantId)}";

    /// <summary><c>GET</c>: a completed round's consensus logits, safetensors.</summary>
    public static string Consensus(int round) => Round(round) + "/consensus";

    /// <summary><c>GET</c>: a published student's state dict, safetensors.</summary>
    public static string Student(int version) => $"{Prefix}/students/{version.ToString(CultureInfo.InvariantCulture)}";
}
