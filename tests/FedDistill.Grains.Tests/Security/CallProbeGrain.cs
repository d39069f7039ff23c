using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Security;

/// <summary>Makes each call of <see cref="ICallProbeGrain"/> as itself, a grain of type <c>callprobe</c>.</summary>
[GrainType("callprobe")]
public sealed class CallProbeGrain : Grain, ICallProbeGrain
{
    public Task AssignAsync(string organization) =>
        GrainFactory.GetGrain<IClientGrain>(organization).AssignAsync(new RoundAssignment("test-federation", 1, new RoundSettings(), new PublicSetSpec(Start: 50_000, Count: 500, AugmentedCopies: 0), "0", DateTimeOffset.UtcNow.AddMinutes(1), null));

    public Task PrepareTeacherAsync(string teacherKey) =>
        GrainFactory.GetGrain<ITeacherGrain>(teacherKey).PrepareAsync(new PublicSetSpec(Start: 50_000, Count: 500, AugmentedCopies: 0), "0");

    public Task AdmitAsync(string federation, string participant) =>
        GrainFactory.GetGrain<IAggregatorGrain>(federation).AdmitAsync(new RegisterParticipantRequest(participant));

    public Task GetFederationAsync(string federation) => GrainFactory.GetGrain<IAggregatorGrain>(federation).GetFederationAsync();

    public async Task ReadConsensusAsync(string federation, int round)
    {
        await foreach (var _ in GrainFactory.GetGrain<IAggregatorGrain>(federation).ReadConsensusAsync(null, round)) { }
    }

    public Task GetStatusAsync(string organization) => GrainFactory.GetGrain<IClientGrain>(organization).GetStatusAsync();

    public async Task ReadStudentAsync(string federation, int version)
    {
        await foreach (var _ in GrainFactory.GetGrain<IAggregatorGrain>(federation).ReadStudentAsync(version)) { }
    }

    public async Task ReadDistillationTargetAsync(string federation, int round)
    {
        await foreach (var _ in GrainFactory.GetGrain<IAggregatorGrain>(federation).ReadDistillationTargetAsync(round)) { }
    }

    public Task ReportAsync(string federation, string organization) =>
        GrainFactory.GetGrain<IAggregatorGrain>(federation).ReportAsync(organization, new ParticipantReport("idle", []));

    public Task SubscribeAsync(string federation, IRoundObserver observer) =>
        GrainFactory.GetGrain<IAggregatorGrain>(federation).SubscribeAsync(observer, 1);
}
