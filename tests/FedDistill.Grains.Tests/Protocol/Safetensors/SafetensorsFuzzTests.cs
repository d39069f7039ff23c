using System.Buffers.Binary;
using FedDistill.Grains.Protocol.Safetensors;

namespace FedDistill.Grains.Tests.Protocol.Safetensors;

/// <summary>
/// Corrupts valid files at random, with a fixed seed so a failure reproduces, and checks the
/// reader's one promise about hostile input: it either reads the file or throws
/// <see cref="SafetensorsFormatException"/>, never anything else.
/// </summary>
public sealed class SafetensorsFuzzTests
{
    private const int Iterations = 2_000;

    private static readonly byte[] InterestingBytes = "{}[]\",:-0123456789 \\.eE_tfnul"u8.ToArray().Concat(new byte[] { 0x00, 0x7F, 0x80, 0xC3, 0xFF }).ToArray();

    [Fact]
    public void Reader_either_reads_a_corrupted_file_or_throws_SafetensorsFormatException()
    {
        var random = new Random(20_251_122);
        byte[][] seeds =
        [
            File.ReadAllBytes(SafetensorsTestFiles.GoldenPath),
            SafetensorsWriter.ToBytes(SafetensorsRoundTripTests.MixedEntries(), new Dictionary<string, string> { ["note"] = "température" }),
        ];
        int accepted = 0;
        int rejected = 0;

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var file = Corrupt(seeds[iteration % seeds.Length], random);
            bool viaStream = iteration % 4 == 0;

            var exception = Record.Exception(() =>
            {
                var document = viaStream
                    ? SafetensorsReader.Read(new NonSeekableStream(new MemoryStream(file)))
                    : SafetensorsReader.Read(file);

                // Whatever the reader accepts must be writable and read back the same.
                var again = SafetensorsReader.Read(SafetensorsWriter.ToBytes(document.Entries, document.Metadata));
                Assert.Equal(document.Entries.OrderBy(entry => entry.Name, StringComparer.Ordinal), again.Entries.OrderBy(entry => entry.Name, StringComparer.Ordinal));
            });

            if (exception is null)
            {
                accepted++;
            }
            else if (exception.GetType() == typeof(SafetensorsFormatException))
            {
                rejected++;
            }
            else
            {
                Assert.Fail($"Iteration {iteration} threw {exception} for file {Convert.ToHexString(file)}");
            }
        }

        // Both outcomes must occur, or the corruptions are not exercising the reader. Most
        // corruptions break the header, so acceptances are the rare case.
        Assert.InRange(accepted, 10, Iterations);
        Assert.InRange(rejected, Iterations / 2, Iterations);
    }

    private static byte[] Corrupt(byte[] original, Random random)
    {
        var file = (byte[])original.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        int mutations = random.Next(1, 4);
        for (int i = 0; i < mutations; i++)
        {
            // Most corruptions land in the header, where the parsing is; data bytes are opaque.
            int position = random.Next(4) == 0 ? random.Next(file.Length) : random.Next(Math.Min(headerEnd, file.Length));
            switch (random.Next(6))
            {
                case 0:
                    file[position] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    file[position] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2:
                    file = file[..random.Next(file.Length + 1)];
                    break;
                case 3:
                    ulong length = random.Next(3) switch
                    {
                        0 => (ulong)(headerEnd - 8 + random.Next(-16, 17)),
                        1 => (ulong)random.NextInt64(),
                        _ => ulong.MaxValue - (ulong)random.Next(1000),
                    };
                    if (file.Length >= 8)
                    {
                        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
                    }

                    break;
                case 4:
                    file = [.. file[..position], InterestingBytes[random.Next(InterestingBytes.Length)], .. file[position..]];
                    break;
                default:
                    if (file.Length > 0)
                    {
                        position = Math.Min(position, file.Length - 1);
                        file = [.. file[..position], .. file[(position + 1)..]];
                    }

                    break;
            }

            if (file.Length == 0)
            {
                break;
            }
        }

        return file;
    }
}
