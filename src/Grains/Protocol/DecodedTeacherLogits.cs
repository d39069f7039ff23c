namespace FedDistill.Grains.Protocol;

/// <summary>One teacher's validated logits from an upload.</summary>
/// <param name="Report">What the organization says of the teacher.</param>
/// <param name="Logits">N × C finite float32 logits, row-major.</param>
public sealed record DecodedTeacherLogits(TeacherReport Report, float[] Logits);
