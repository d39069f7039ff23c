using FedDistill.Distillation.Models;

namespace FedDistill.Distillation.Tests.Models;

public sealed class ModelSpecFileTests
{
    [Fact]
    public void A_written_spec_reads_back_as_it_was_written()
    {
        var path = Path.Combine(Path.GetTempPath(), $"model-spec-{Guid.NewGuid():N}.json");
        try
        {
            var spec = new ModelSpec { Kind = "lenet5", Channels = [3, 8, 50, 20], Dropout = 0.25 };
            ModelSpecFile.Write(spec, path);
            var read = ModelSpecFile.Read(path);

            Assert.Equal(spec.Channels, read.Channels);
            Assert.Equal(spec with { Channels = read.Channels }, read);
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_spec_file_with_an_unknown_key_or_an_invalid_width_is_invalid_data_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"model-spec-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """{"kind":"small-cnn","widths":[1]}""");
            Assert.StartsWith(path, Assert.Throws<InvalidDataException>(() => ModelSpecFile.Read(path)).Message);

            File.WriteAllText(path, """{"kind":"small-cnn","channels":[8, 0, 16]}""");
            Assert.Contains("ModelSpec.Channels is [8, 0, 16]", Assert.Throws<InvalidDataException>(() => ModelSpecFile.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
