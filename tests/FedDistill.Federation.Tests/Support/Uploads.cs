using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FedDistill.Grains.Protocol;
using FedDistill.Grains.Protocol.Safetensors;
using FedDistill.Transport;

namespace FedDistill.Federation.Tests.Support;

/// <summary>Hand-made uploads: valid ones through the codec, broken ones byte by byte.</summary>
public static class Uploads
{
    public static TeacherReport Report(string teacherId = "mlp") =>
        new(teacherId, "mlp", 1000, 100, Enumerable.Repeat(10, SmallFederation.Classes).ToArray());

    public static float[] Logits(int examples, float value = 0.5f, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, examples * SmallFederation.Classes).Select(_ => value + (float)random.NextDouble()).ToArray();
    }

    public static byte[] Valid(int round, string participant, string fingerprint, int examples = SmallFederation.PublicExamples, string dtype = "float32") =>
        SoftLabelsCodec.Encode(round, participant, fingerprint, dtype, SmallFederation.Classes, [(Report(), Logits(examples))]);

    /// <summary>An upload whose metadata declares float32 but whose tensor is of another dtype.</summary>
    internal static byte[] WithTensor(int round, string participant, string fingerprint, SafetensorsEntry tensor) =>
        SafetensorsWriter.ToBytes([tensor], Metadata(round, participant, fingerprint, "float32"));

    public static Dictionary<string, string> Metadata(int round, string participant, string fingerprint, string dtype) => new()
    {
        ["format"] = SoftLabelsCodec.Format,
        ["round"] = round.ToString(CultureInfo.InvariantCulture),
        ["participant"] = participant,
        ["public_set_fingerprint"] = fingerprint,
        ["upload"] = JsonSerializer.Serialize(new UploadMetadata(dtype, [Report()], 0), ProtocolJsonContext.Default.UploadMetadata),
    };

    /// <summary>A valid upload whose header claims a tensor ends past the end of the file.</summary>
    public static byte[] LyingHeader(int round, string participant, string fingerprint)
    {
        var valid = Valid(round, participant, fingerprint);
        var headerLength = (int)BitConverter.ToUInt64(valid, 0);
        var header = Encoding.UTF8.GetString(valid, 8, headerLength);
        var end = (long)SmallFederation.PublicExamples * SmallFederation.Classes * 4;
        var lying = header.Replace($"[0,{end}]", $"[0,{end * 4}]", StringComparison.Ordinal);
        Assert.NotEqual(header, lying);
        var bytes = Encoding.UTF8.GetBytes(lying.PadRight(headerLength));
        Assert.Equal(headerLength, bytes.Length);
        var result = (byte[])valid.Clone();
        bytes.CopyTo(result, 8);
        return result;
    }

    internal static SafetensorsEntry Float64Tensor(int examples) =>
        SafetensorsEntry.FromValues<double>("teacher/mlp", [examples, SmallFederation.Classes], Enumerable.Repeat(0.5, examples * SmallFederation.Classes).ToArray());

    public static async Task<HttpResponseMessage> PutAsync(HttpClient client, int round, string participant, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(AggregatorRoutes.SafetensorsMediaType);
        using var request = new HttpRequestMessage(HttpMethod.Put, AggregatorRoutes.Upload(round, participant))
        {
            Content = content,
            Version = client.DefaultRequestVersion,
            VersionPolicy = client.DefaultVersionPolicy,
        };
        return await client.SendAsync(request);
    }

    public static async Task<string?> ReasonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(text);
        return problem.RootElement.TryGetProperty("reason", out var reason) ? reason.GetString() : null;
    }
}
