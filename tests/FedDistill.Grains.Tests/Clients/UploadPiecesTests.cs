using FedDistill.Grains.Clients;
using FedDistill.Grains.Protocol;

namespace FedDistill.Grains.Tests.Clients;

/// <summary>How a client splits a payload: every piece but the last appended by itself, the last sent with the completion.</summary>
public sealed class UploadPiecesTests
{
    /// <summary>The last piece starts at the last multiple of <see cref="UploadChunk.MaxBytes"/> below the end, so it is never empty and never over the limit.</summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(100_163, 0)]
    [InlineData(UploadChunk.MaxBytes, 0)]
    [InlineData(UploadChunk.MaxBytes + 1, UploadChunk.MaxBytes)]
    [InlineData(3 * UploadChunk.MaxBytes, 2 * UploadChunk.MaxBytes)]
    [InlineData(3 * UploadChunk.MaxBytes + 5, 3 * UploadChunk.MaxBytes)]
    public void The_last_piece_starts_where_only_it_remains(int length, int expected)
    {
        var offset = ClientGrain.LastPieceOffset(length);

        Assert.Equal(expected, offset);
        Assert.InRange(length - offset, 1, UploadChunk.MaxBytes);
    }

    /// <summary>An empty payload has no last piece.</summary>
    [Fact]
    public void An_empty_payload_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientGrain.LastPieceOffset(0));
}
