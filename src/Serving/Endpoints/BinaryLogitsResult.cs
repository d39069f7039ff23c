using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;

namespace FedDistill.Serving.Endpoints;

/// <summary>
/// The answer to a binary prediction request: the logits as little-endian float32 values, example
/// by example (<see cref="BinaryPredictionReader.ContentType"/>), written straight into the
/// response's pipe without an intermediate array.
/// </summary>
internal sealed class BinaryLogitsResult(float[] logits) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var bytes = logits.Length * sizeof(float);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = BinaryPredictionReader.ContentType;
        response.ContentLength = bytes;
        Write(response, bytes);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }

    private void Write(HttpResponse response, int bytes)
    {
        var span = response.BodyWriter.GetSpan(bytes)[..bytes];
        MemoryMarshal.AsBytes(logits.AsSpan()).CopyTo(span);
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<byte, int>(span);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        response.BodyWriter.Advance(bytes);
    }

}
