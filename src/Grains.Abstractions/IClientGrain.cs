using Orleans.Concurrency;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains;

/// <summary>
/// One organization's client (keyed by the organization's id). It activates only on that
/// organization's own silo, where its private data and teachers are configured: it computes the
/// teachers' logits on the public set and uploads them, and shares nothing else. Only the
/// aggregator hands it work.
/// </summary>
[AllowedCallers(FederationCallers.None)]
public interface IClientGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes a round's work and returns at once; the work (teacher training, digest, inference)
    /// runs off the grain's turn and ends in an upload. Assigning the round it is already working
    /// on, or has uploaded to, changes nothing.
    /// </summary>
    /// <exception cref="FederationException">The organization's copy of the public set does not match the round's fingerprint.</exception>
    [AllowedCallers(FederationCallers.Aggregator)]
    Task AssignAsync(RoundAssignment assignment);

    /// <summary>Secure summation: every organization's signed keys for the round, relayed by the aggregator; the organization answers with its encrypted shares.</summary>
    [AllowedCallers(FederationCallers.Aggregator)]
    Task ReceiveKeysAsync(int round, IReadOnlyList<SecureKeyAdvertisement> advertisements);

    /// <summary>Secure summation: the encrypted shares the other organizations sent this one, relayed by the aggregator; the organization answers with its masked upload.</summary>
    [AllowedCallers(FederationCallers.Aggregator)]
    Task ReceiveSharesAsync(int round, IReadOnlyList<SecureShareBundle> bundles);

    /// <summary>Secure summation: the organizations whose masked uploads arrived; the organization answers with its shares for unmasking, once per round.</summary>
    [AllowedCallers(FederationCallers.Aggregator)]
    Task RevealAsync(int round, IReadOnlyList<string> survivors);

    /// <summary>What the organization is doing now.</summary>
    [AlwaysInterleave]
    [AllowedCallers(FederationCallers.Admin | FederationCallers.Aggregator)]
    Task<ParticipantReport> GetStatusAsync();

}
