using System.Diagnostics.Metrics;
using System.Reflection;
using FedDistill.Grains.Hosting;
using FedDistill.Grains.Placement;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Tests.Cluster;

namespace FedDistill.Grains.Tests.Security;

/// <summary>
/// The silos' call filter on a real cluster: the operator (an external client) may not hand out
/// round work nor drive a teacher; a grain with no federation role may do nothing of the
/// federation's; each refusal is a <c>forbidden</c> <see cref="FederationException"/> that names
/// the caller, and is counted.
/// </summary>
[Trait("Tier", "Slow")]
public sealed class CallFilterTests(ThreeHospitalsFixture fixture) : IClassFixture<ThreeHospitalsFixture>
{
    private FederationCluster Federation => fixture.Federation;

    private ICallProbeGrain Probe => Federation.Cluster.Client.GetGrain<ICallProbeGrain>("probe");

    [Fact]
    public async Task The_operator_cannot_hand_out_round_work_nor_drive_a_teacher_but_may_read_their_status()
    {
        var client = Federation.Cluster.Client.GetGrain<IClientGrain>("hospital-1");
        var teacher = Federation.Cluster.Client.GetGrain<ITeacherGrain>(SiteNames.TeacherKey("hospital-1", "mlp"));
        var spec = new PublicSetSpec(Start: 50_000, Count: 500, AugmentedCopies: 0);

        var assign = await Forbidden(() => client.AssignAsync(new RoundAssignment(FederationCluster.FederationName, 1, new RoundSettings(), spec, "0", DateTimeOffset.UtcNow.AddMinutes(1), null)));
        Assert.Contains("the aggregator", assign.Message, StringComparison.Ordinal);
        Assert.Contains("the operator", assign.Message, StringComparison.Ordinal);
        var prepare = await Forbidden(() => teacher.PrepareAsync(spec, "0"));
        Assert.Contains("the client grain of 'hospital-1'", prepare.Message, StringComparison.Ordinal);
        await Forbidden(() => teacher.ComputeLogitsAsync(spec, "0"));
        await Forbidden(() => teacher.CountExamplesAsync(spec, "0"));
        await Forbidden(() => teacher.DigestAsync(new DigestRequest(spec, "0", new float[10], 3, 1, 0, 1)));

        Assert.Equal("idle", (await client.GetStatusAsync()).Status);
        Assert.Equal("mlp", (await teacher.GetReportAsync()).TeacherId);
    }

    [Fact]
    public async Task A_grain_without_a_federation_role_is_refused_every_federation_call_and_each_refusal_is_counted()
    {
        using var refusals = new RefusalCounter();

        await Forbidden(() => Probe.AssignAsync("hospital-2"));
        await Forbidden(() => Probe.PrepareTeacherAsync(SiteNames.TeacherKey("hospital-2", "mlp")));
        await Forbidden(() => Probe.GetStatusAsync("hospital-2"));
        var admit = await Forbidden(() => Probe.AdmitAsync(FederationCluster.FederationName, "intruder"));
        Assert.Contains("callprobe", admit.Message, StringComparison.Ordinal);
        Assert.Contains("no federation role", admit.Message, StringComparison.Ordinal);
        await Forbidden(() => Probe.GetFederationAsync(FederationCluster.FederationName));
        // The operator's form of the consensus download (no participant named) is the operator's only.
        await Forbidden(() => Probe.ReadConsensusAsync(FederationCluster.FederationName, 1));
        // Streamed results (IAsyncEnumerable) are checked too, and an organization method from a grain that is no organization's client.
        await Forbidden(() => Probe.ReadStudentAsync(FederationCluster.FederationName, 1));
        // A round's distillation target (what students compress fine-tunes against) is the operator's only.
        await Forbidden(() => Probe.ReadDistillationTargetAsync(FederationCluster.FederationName, 1));
        await Forbidden(() => Probe.ReportAsync(FederationCluster.FederationName, "hospital-1"));

        Assert.DoesNotContain("intruder", (await Federation.Aggregator.ListParticipantsAsync()).Select(p => p.ParticipantId));
        Assert.Equal(9, refusals.Count("forbidden"));
    }

    [Fact]
    public void No_teacher_method_returns_weights_or_examples_only_reports_and_logits()
    {
        var returns = typeof(ITeacherGrain).GetMethods().Select(method => method.ReturnType).Distinct().ToList();
        Assert.All(returns, type => Assert.Contains(type, new[] { typeof(Task<TeacherReport>), typeof(Task<float[]>) }));
        Assert.All(typeof(TeacherReport).GetProperties(), property => Assert.Contains(property.PropertyType,
            new[] { typeof(string), typeof(long), typeof(int), typeof(double?), typeof(IReadOnlyList<int>) }));
        // Every method of the federation's grain interfaces says who may call it.
        foreach (var type in new[] { typeof(IAggregatorGrain), typeof(IClientGrain), typeof(ITeacherGrain) })
            Assert.NotNull(type.GetCustomAttribute<AllowedCallersAttribute>());
    }

    private static async Task<FederationException> Forbidden(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<FederationException>(call);
        Assert.Equal(FederationErrorKind.Forbidden, refused.Kind);
        Assert.Equal("forbidden", refused.Reason);
        return refused;
    }

    /// <summary>Listens to the call filter's refusal counter (this process hosts every silo).</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _counts = [];

        public RefusalCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FederationCallFilter.MeterName && instrument.Name == "feddistill.security.call_refusals") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key != "reason") continue;
                    lock (_counts) _counts[(string)tag.Value!] = _counts.GetValueOrDefault((string)tag.Value!) + value;
                }
            });
            _listener.Start();
        }

        public long Count(string reason)
        {
            lock (_counts) return _counts.GetValueOrDefault(reason);
        }

        public void Dispose() => _listener.Dispose();
    }
}
