using FedDistill.Distillation.Ensembles;
using FedDistill.Grains.Persistence;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Aggregator;

/// <summary>A running round's in-memory state: its streaming ensemble and per-teacher summaries.</summary>
internal sealed class RoundRuntime : IDisposable
{
    public RoundRuntime(RoundRecord record, RoundSettings settings, IEnsembleAccumulator? accumulator)
    {
        Record = record;
        Settings = settings;
        Accumulator = accumulator;
    }

    public RoundRecord Record { get; set; }

    public RoundSettings Settings { get; }

    public RoundState State => RoundStates.Parse(Record.State);

    /// <summary>The streaming ensemble while the round is open; null once finished.</summary>
    public IEnsembleAccumulator? Accumulator { get; set; }

    /// <summary>Participants whose upload was accepted, in order.</summary>
    public List<string> Uploaded { get; } = [];

    /// <summary>Per teacher: its argmax on every public example (for agreement) and its validation accuracy.</summary>
    public List<TeacherSummary> Teachers { get; } = [];

    public long UploadedBytes { get; set; }

    public long DownloadedBytes { get; set; }

    /// <summary>Student training progress in [0, 1] while distilling.</summary>
    public double DistillProgress { get; set; }

    /// <summary>Cancels a distillation in flight.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    public void Dispose()
    {
        Accumulator?.Dispose();
        Accumulator = null;
        Cancellation.Dispose();
    }
}

/// <summary>What the aggregator keeps of one uploaded teacher after folding it into the ensemble.</summary>
internal sealed record TeacherSummary(string ParticipantId, string TeacherId, int[] Predictions, double? ValidationAccuracy, double? ReportedAccuracy, int PrivateExamples);
