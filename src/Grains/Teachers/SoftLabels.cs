namespace FedDistill.Grains.Teachers;

/// <summary>A teacher's logits on a public set: what crosses an organization's boundary.</summary>
/// <param name="TeacherId">Which teacher computed them.</param>
/// <param name="PublicSetFingerprint">SHA-256 of the public set (see <c>DatasetFingerprint</c>).</param>
/// <param name="Examples">Rows N.</param>
/// <param name="Classes">Columns C.</param>
/// <param name="Logits">N × C float32 logits, row-major.</param>
public sealed record SoftLabels(string TeacherId, string PublicSetFingerprint, int Examples, int Classes, float[] Logits);
