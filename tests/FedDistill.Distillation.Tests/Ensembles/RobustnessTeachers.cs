using FedDistill.Distillation.Ensembles;
using static FedDistill.Distillation.Tests.Ensembles.EnsembleTensors;

namespace FedDistill.Distillation.Tests.Ensembles;

/// <summary>Three honest teachers within ±0.1 of the true logits and one whose logits are scaled by 1000.</summary>
internal static class RobustnessTeachers
{
    public static readonly double[][] Truth = [[2, 0, -1], [-1, 3, 0.5]];

    public static (TeacherContribution[] Honest, TeacherContribution Corrupted) Create()
    {
        double[] offsets = [-0.1, 0.0, 0.1];
        var honest = offsets
            .Select((offset, k) => Teacher($"honest-{k}", Matrix(Truth.Select(row => row.Select((value, c) => value + (c % 2 == 0 ? offset : -offset)).ToArray()).ToArray())))
            .ToArray();
        var corrupted = Teacher("corrupted", Matrix(Truth.Select(row => row.Select(value => value * 1000).ToArray()).ToArray()));
        return (honest, corrupted);
    }
}
