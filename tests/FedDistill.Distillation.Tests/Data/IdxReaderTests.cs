using System.Buffers.Binary;
using FedDistill.Distillation.Data;

namespace FedDistill.Distillation.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string Write(string name, byte[] bytes)
    {
        string path = directory.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] TwoImagesOf2x3() => IdxTestFiles.Images(2, 2, 3, i => (byte)(i * 20));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_round_trip_raw_and_gzip(bool compressed)
    {
        byte[] raw = TwoImagesOf2x3();
        string path = Write("images.idx", compressed ? IdxTestFiles.Gzip(raw) : raw);

        IdxImages images = IdxReader.ReadImages(path);

        Assert.Equal(2, images.Count);
        Assert.Equal(2, images.Rows);
        Assert.Equal(3, images.Columns);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)(i * 20)), images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_round_trip_raw_and_gzip(bool compressed)
    {
        byte[] raw = IdxTestFiles.Labels(9, 0, 3);
        string path = Write("labels.idx", compressed ? IdxTestFiles.Gzip(raw) : raw);

        Assert.Equal([9, 0, 3], IdxReader.ReadLabels(path));
    }

    [Fact]
    public void A_stream_that_cannot_seek_is_read_too()
    {
        using var stream = new ForwardOnlyStream(IdxTestFiles.Gzip(IdxTestFiles.Labels(4, 5)));

        Assert.Equal([4, 5], IdxReader.ReadLabels(stream, "pipe"));
    }

    [Fact]
    public void Image_dataset_scales_pixels_to_unit_range_with_one_channel()
    {
        string images = Write("i.gz", IdxTestFiles.Gzip(IdxTestFiles.Images(2, 1, 2, i => new byte[] { 0, 255, 51, 102 }[i])));
        string labels = Write("l.gz", IdxTestFiles.Gzip(IdxTestFiles.Labels(1, 0)));

        Dataset dataset = IdxReader.ReadImageDataset(images, labels, classCount: 2);

        Assert.Equal([1, 1, 2], dataset.ExampleShape);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], dataset.Features.ToArray());
        Assert.Equal([1, 0], dataset.Labels);
    }

    [Fact]
    public void Bad_magic_is_rejected_naming_the_file()
    {
        byte[] bytes = TwoImagesOf2x3();
        BinaryPrimitives.WriteInt32BigEndian(bytes, 0x00000804);
        string path = Write("bad-magic.idx", bytes);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("bad magic number 0x00000804", error.Message);
    }

    [Fact]
    public void A_label_file_read_as_images_is_called_what_it_is()
    {
        string path = Write("labels-as-images.idx", IdxTestFiles.Labels(1, 2, 3, 4, 5, 6, 7, 8, 9));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("IDX labels", error.Message);
    }

    [Fact]
    public void Truncated_header_is_rejected()
    {
        string path = Write("short-header.idx", TwoImagesOf2x3()[..10]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
        Assert.Contains("16 bytes", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_pixels_are_rejected(bool compressed)
    {
        byte[] raw = TwoImagesOf2x3()[..^1];
        string path = Write("short-body.idx", compressed ? IdxTestFiles.Gzip(raw) : raw);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("2 images of 2x3 pixels (12 bytes) but only 11 bytes", error.Message);
    }

    [Fact]
    public void Bytes_after_the_declared_data_are_rejected()
    {
        string path = Write("long.idx", [.. IdxTestFiles.Labels(1, 2), 7]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("unexpected bytes after the 2 labels", error.Message);
    }

    [Fact]
    public void A_cut_off_gzip_stream_is_rejected()
    {
        byte[] gzip = IdxTestFiles.Gzip(IdxTestFiles.Images(50, 28, 28, i => (byte)(i * 7 % 251)));
        string path = Write("cut.gz", gzip[..(gzip.Length / 2)]);

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Empty_image_size_is_rejected()
    {
        string path = Write("empty-size.idx", IdxTestFiles.Images(3, 0, 28, _ => 0));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(path));

        Assert.Contains("0x28", error.Message);
    }

    [Fact]
    public void Image_and_label_counts_must_match()
    {
        string images = Write("i", TwoImagesOf2x3());
        string labels = Write("l", IdxTestFiles.Labels(1, 1, 1));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImageDataset(images, labels, 10));

        Assert.Contains("holds 2 images", error.Message);
        Assert.Contains("holds 3 labels", error.Message);
    }

    [Fact]
    public void A_label_beyond_the_class_count_is_rejected()
    {
        string images = Write("i", TwoImagesOf2x3());
        string labels = Write("l", IdxTestFiles.Labels(1, 10));

        var error = Assert.Throws<InvalidDataException>(() => IdxReader.ReadImageDataset(images, labels, 10));

        Assert.Contains("label 10 of example 1", error.Message);
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
