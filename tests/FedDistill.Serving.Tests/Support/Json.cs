using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FedDistill.Serving.Tests.Support;

/// <summary>Request bodies and answer readers for the HTTP tests.</summary>
public static class Json
{
    public static StringContent Body(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>The body for <c>POST /v1/predict</c> with these examples.</summary>
    public static StringContent Inputs(params float[][] examples) => Body(JsonSerializer.Serialize(new { inputs = examples }));

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static float[][] Logits(JsonElement answer) =>
        answer.GetProperty("logits").EnumerateArray().Select(row => row.EnumerateArray().Select(value => value.GetSingle()).ToArray()).ToArray();

    public static int[] Predictions(JsonElement answer) => answer.GetProperty("predictions").EnumerateArray().Select(value => value.GetInt32()).ToArray();
}
