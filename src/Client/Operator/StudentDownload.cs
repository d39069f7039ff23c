namespace FedDistill.Client.Operator;

/// <summary>What <c>feddistill students download</c> wrote.</summary>
/// <param name="Version">The student's version.</param>
/// <param name="Path">The absolute path of the safetensors file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">SHA-256 of the bytes written; equal to the round result's <c>studentSha256</c>.</param>
public sealed record StudentDownload(int Version, string Path, long Bytes, string Sha256);
