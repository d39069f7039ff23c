namespace FedDistill.Grains.Tests.Security;

/// <summary>
/// A grain of no federation role (what a member silo's stray or hostile grain would be): it makes
/// the calls the call filter must refuse, from a grain identity that is neither the aggregator nor
/// an organization's client.
/// </summary>
public interface ICallProbeGrain : IGrainWithStringKey
{
    Task AssignAsync(string organization);

    Task PrepareTeacherAsync(string teacherKey);

    Task AdmitAsync(string federation, string participant);

    Task GetFederationAsync(string federation);

    Task ReadConsensusAsync(string federation, int round);

    Task GetStatusAsync(string organization);

    Task ReadStudentAsync(string federation, int version);

    Task ReadDistillationTargetAsync(string federation, int round);

    Task ReportAsync(string federation, string organization);

    Task SubscribeAsync(string federation, IRoundObserver observer);
}
