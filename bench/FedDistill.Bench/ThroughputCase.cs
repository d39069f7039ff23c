using System.Diagnostics;

namespace FedDistill.Bench;

/// <summary>One benchmark case: a named action that processes <see cref="SamplesPerIteration"/> samples per call.</summary>
/// <param name="Name">The case's name, as the PyTorch reference names it.</param>
/// <param name="SamplesPerIteration">Samples one call of <paramref name="Iteration"/> processes.</param>
/// <param name="Iteration">One step: runs synchronously on the calling thread.</param>
/// <param name="PolicyThreads">The intra-op thread count <see cref="FedDistill.Distillation.Compute.IntraOpThreads.For"/> picks for the case's model.</param>
public sealed record ThroughputCase(string Name, int SamplesPerIteration, Action Iteration, int PolicyThreads)
{
    /// <summary>Warms up, then runs whole iterations until <paramref name="seconds"/> pass; returns samples per second.</summary>
    public double Measure(double seconds, int warmupIterations = 10)
    {
        for (var i = 0; i < warmupIterations; i++) Iteration();
        var iterations = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            Iteration();
            iterations++;
        }
        return (double)iterations * SamplesPerIteration / watch.Elapsed.TotalSeconds;
    }
}
