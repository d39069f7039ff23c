namespace FedDistill.Distillation.Tests.Losses;

/// <summary>Deterministic, irregular-looking test inputs (no random generator, so failures reproduce).</summary>
internal static class Inputs
{
    /// <summary>scale · sin(0.7·i + phase) for i = 0..count−1, the same formula the reference script uses (unrounded).</summary>
    public static double[] Wave(int count, double phase = 0.0, double scale = 2.0) =>
        Enumerable.Range(0, count).Select(i => scale * Math.Sin(0.7 * i + phase)).ToArray();

    /// <summary><see cref="Wave"/> as float32.</summary>
    public static float[] WaveSingle(int count, double phase = 0.0, double scale = 2.0) =>
        Array.ConvertAll(Wave(count, phase, scale), value => (float)value);
}
