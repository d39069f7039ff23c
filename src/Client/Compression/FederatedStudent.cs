using FedDistill.Distillation.Federated;
using FedDistill.Distillation.Models;

namespace FedDistill.Client.Compression;

/// <summary>
/// A federation's published student as <c>feddistill students compress</c> downloads it: the state
/// dict (checked against its round's SHA-256), the federation's student model, the public set
/// rebuilt here from the federation's spec, and the target logits the round distilled the student from.
/// </summary>
/// <param name="Federation">The federation's name.</param>
/// <param name="Version">The student's version (its round's number).</param>
/// <param name="Sha256">The state dict's SHA-256, as its round recorded it.</param>
/// <param name="State">The state dict (safetensors).</param>
/// <param name="Spec">The federation's student model.</param>
/// <param name="PublicSet">The federation's public set, rebuilt from its spec (its fingerprint checked against the federation's).</param>
/// <param name="Target">The round's target logits: one row of classes per example of <see cref="PublicSet"/>'s examples, in their order.</param>
/// <param name="Temperature">The round's distillation temperature, used again for fine-tuning.</param>
public sealed record FederatedStudent(string Federation, int Version, string Sha256, byte[] State, ModelSpec Spec, PublicSet PublicSet, float[] Target, double Temperature);
