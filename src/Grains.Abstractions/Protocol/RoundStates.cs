namespace FedDistill.Grains.Protocol;

/// <summary>The wire and storage names of <see cref="RoundState"/> values.</summary>
public static class RoundStates
{
    /// <summary>The lower-case name of a state, e.g. <c>open</c>.</summary>
    public static string ToName(this RoundState state) => state.ToString().ToLowerInvariant();

    /// <summary>Parses a stored name.</summary>
    /// <exception cref="FormatException">Not a state name.</exception>
    public static RoundState Parse(string name) =>
        Enum.TryParse<RoundState>(name, ignoreCase: true, out var state) && Enum.IsDefined(state)
            ? state
            : throw new FormatException($"'{name}' is not a round state; expected one of {string.Join(", ", Enum.GetValues<RoundState>().Select(ToName))}.");

    /// <summary>True for states a round never leaves.</summary>
    public static bool IsFinal(this RoundState state) => state is RoundState.Completed or RoundState.Failed or RoundState.Cancelled;
}
