using System.Diagnostics;
using System.Runtime.InteropServices;
using FedDistill.Distillation.Data;
using FedDistill.Distillation.Evaluation;
using FedDistill.Distillation.Losses;
using FedDistill.Distillation.Models;
using FedDistill.Distillation.Training;
using FedDistill.Grains.Protocol;
using MessagePack;
using TorchSharp;

// dotnet run --project bench/SoftLabelCodec -c Release -- [--model mlp|small-cnn] [--steps 400] [--rows 40000] [--repeats 31]
//   Trains a teacher on the first 20,000 Fashion-MNIST training images for --steps Adam steps,
//   computes its logits on the last --rows images (the public set), and measures one teacher's
//   upload in fp16 and fp32, plain MessagePack against MessagePack with LZ4 (Lz4BlockArray):
//   bytes, and the median MessagePack encode and decode times (and, for scale, the codec's whole
//   plain Encode + Decode, fp16 conversion and checks included).
var model = Option("--model", "mlp");
var steps = int.Parse(Option("--steps", "400"));
var rows = int.Parse(Option("--rows", "40000"));
var repeats = int.Parse(Option("--repeats", "31"));

torch.set_num_threads(1);
var train = FashionMnist.LoadTrain();
var privateData = train.Subset(Enumerable.Range(0, 20_000).ToArray());
var normalization = GlobalNormalization.Fit(privateData);
privateData = normalization.Apply(privateData);
var publicSet = normalization.Apply(train.Subset(Enumerable.Range(train.Count - rows, rows).ToArray()));

var watch = Stopwatch.StartNew();
float[] logits;
double accuracy;
using (torch.NewDisposeScope())
{
    torch.manual_seed(3);
    var teacher = ModelFactory.Create(new ModelSpec { Kind = model, HiddenWidths = model == "mlp" ? [256, 128] : null }, privateData.ExampleShape);
    var summary = new Trainer(new TrainerOptions(Epochs: 100, BatchSize: 128, LearningRate: 1e-3, MaxSteps: steps, Seed: 3, Device: "cpu"))
        .Train(teacher, privateData, null, new CrossEntropyLoss());
    var output = Predictor.PredictLogits(teacher, publicSet);
    accuracy = Predictor.Accuracy(output, publicSet.Labels!);
    logits = output.cpu().contiguous().data<float>().ToArray();
    Console.WriteLine($"teacher: {model}, {summary.Steps} steps, loss {summary.FinalLoss:F3}; public-set accuracy {accuracy:F4}; logits in [{logits.Min():F1}, {logits.Max():F1}], mean |x| {logits.Average(Math.Abs):F2} ({watch.Elapsed.TotalSeconds:F0} s)");
}

var report = new TeacherReport("teacher-1", model, 0, privateData.Count, new int[10], accuracy);
var untrusted = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);
var lz4 = untrusted.WithCompression(MessagePackCompression.Lz4BlockArray);
Console.WriteLine($"N = {rows}, C = 10, one teacher; median of {repeats} runs after 3 warm-ups, ms per upload");
Console.WriteLine("| dtype | wire | bytes | saved | MessagePack encode (ms) | MessagePack decode (ms) | LZ4's extra encode + decode (ms) | codec Encode + Decode, plain (ms) |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var dtype in new[] { "float16", "float32" })
{
    var plainBytes = SoftLabelsCodec.Encode(1, "hospital-1", "fp", dtype, 10, [(report, logits)]);
    var payload = MessagePackSerializer.Deserialize<SoftLabelPayload>(plainBytes, untrusted);
    var compressed = MessagePackSerializer.Serialize(payload, lz4);
    if (!MessagePackSerializer.Deserialize<SoftLabelPayload>(compressed, lz4).Teachers![0].Logits!.AsSpan().SequenceEqual(payload.Teachers![0].Logits))
        throw new InvalidOperationException("LZ4 did not round-trip.");

    // The whole codec path (Half conversion, every check) is the same with or without LZ4; LZ4 adds its own part of the MessagePack times.
    var codec = Median(() => SoftLabelsCodec.Decode(SoftLabelsCodec.Encode(1, "hospital-1", "fp", dtype, 10, [(report, logits)]), 1, "hospital-1", "fp", rows, 10));
    var plainEncode = Median(() => MessagePackSerializer.Serialize(payload, untrusted));
    var plainDecode = Median(() => MessagePackSerializer.Deserialize<SoftLabelPayload>(plainBytes, untrusted));
    var lz4Encode = Median(() => MessagePackSerializer.Serialize(payload, lz4));
    var lz4Decode = Median(() => MessagePackSerializer.Deserialize<SoftLabelPayload>(compressed, lz4));
    Console.WriteLine($"| {dtype} | plain | {plainBytes.Length:N0} | | {plainEncode:F2} | {plainDecode:F2} | | {codec:F2} |");
    Console.WriteLine($"| {dtype} | LZ4 block array | {compressed.Length:N0} | {1 - (double)compressed.Length / plainBytes.Length:P1} | {lz4Encode:F2} | {lz4Decode:F2} | {lz4Encode + lz4Decode - plainEncode - plainDecode:F2} | |");
}

// For scale: general-purpose entropy coders on the same plain fp16 payload (not wire options of MessagePack).
var fp16 = SoftLabelsCodec.Encode(1, "hospital-1", "fp", "float16", 10, [(report, logits)]);
foreach (var (name, compress) in new (string, Func<Stream, Stream>)[]
{
    ("Deflate (optimal)", s => new System.IO.Compression.DeflateStream(s, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)),
    ("Brotli (fastest)", s => new System.IO.Compression.BrotliStream(s, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)),
})
{
    long size = 0;
    var time = Median(() =>
    {
        using var output = new MemoryStream();
        using (var stream = compress(output)) stream.Write(fp16);
        size = output.Length;
    });
    Console.WriteLine($"for scale, {name} of the plain fp16 payload: {size:N0} bytes ({1 - (double)size / fp16.Length:P1} saved), {time:F2} ms to compress");
}

double Median(Action action)
{
    for (var i = 0; i < 3; i++) action();
    var times = new double[repeats];
    for (var i = 0; i < repeats; i++)
    {
        var start = Stopwatch.GetTimestamp();
        action();
        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    Array.Sort(times);
    return times[repeats / 2];
}

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}
