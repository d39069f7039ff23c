using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FedDistill.Grains.Protocol;
using FedDistill.Security;
using FedDistill.Security.SecureSummation;

namespace FedDistill.Bench;

/// <summary>
/// <c>./run bench secagg</c>: what secure summation costs per round, against the plain upload in
/// the same run, at 3, 10 and 50 organizations on the demo's shape (10,000 public examples × 10
/// classes). Plain: each organization encodes its fp16 logits with <see cref="SoftLabelsCodec"/>
/// and the aggregator decodes each upload and folds it into a sum. Secure: the whole protocol of
/// <see cref="SecureSummationParticipant"/> and <see cref="SecureSummationUnmasker"/> with
/// certificates from a fresh federation CA, without dropouts and with one organization dropping
/// out after sharing keys. Everything runs in this process, one organization after another, so
/// each organization's time is its own work; the organizations would run in parallel, so a
/// round's critical path is the slowest organization plus the aggregator.
/// </summary>
public static class SecureSummationRun
{
    /// <summary>The heading of the section this run writes into its output file.</summary>
    public const string Heading = "## Secure summation: cost per round";

    public const string Usage = """
        Usage: ./run bench secagg [options]

        Secure summation (docs/privacy.md) against the plain fp16 upload in the same run: bytes each
        organization sends and receives, each organization's compute time and the aggregator's, at
        each federation size, without dropouts and with one organization dropping out after sharing
        keys. The threshold is a majority, floor(n/2) + 1. Prints one line per size and case:
          bench: secagg organizations=<n> case=<plain|secure-31bit|secure-24bit|secure-31bit-1-dropout> ...

        secure-31bit is the rounds' ring (Z_2^31, F = 16, the largest clip bound n summands fit in,
        31 bits a value); secure-24bit the compact one (Z_2^24, F = 12, bound 32, at most 63 organizations).

          --sizes N[,N...]   federation sizes (default 3,10,50)
          --examples N       public examples (default 10000)
          --classes N        classes (default 10)
          --rounds R         rounds per size, for the medians (default 3)
          --round-seconds S  a plain round's time at 10 organizations to state the overhead against
                             (default 7.53: docs/benchmarks.md, a real plain round of 10 organization
                             silos on the Orleans cluster, measured on this machine)
          --output FILE      markdown file whose secure-summation section is rewritten
                             (default docs/privacy.md, relative to the repository root)
          --no-output        print only
          -h, --help         this text
        """;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public sealed record Settings(IReadOnlyList<int> Sizes, int Examples = 10_000, int Classes = 10, int Rounds = 3, double RoundSeconds = 7.53, string? Output = "docs/privacy.md");

    /// <summary>Medians of one case at one size.</summary>
    /// <param name="Case">plain, secure or secure-1-dropout.</param>
    /// <param name="Organizations">The federation size n.</param>
    /// <param name="UploadBytes">Bytes one organization sends in the round.</param>
    /// <param name="DownloadBytes">Bytes one organization receives for the protocol (not the consensus).</param>
    /// <param name="OrganizationSeconds">The slowest organization's compute time.</param>
    /// <param name="AggregatorSeconds">The aggregator's compute time.</param>
    public sealed record Measurement(string Case, int Organizations, double UploadBytes, double DownloadBytes, double OrganizationSeconds, double AggregatorSeconds)
    {
        public double CriticalPathSeconds => OrganizationSeconds + AggregatorSeconds;
    }

    /// <summary>Runs the benchmark; <paramref name="root"/> is the repository root the output path is relative to.</summary>
    /// <exception cref="BenchUsageException">The command line is invalid.</exception>
    public static int Run(string[] args, string root)
    {
        var settings = Parse(args);
        var total = Stopwatch.StartNew();
        var log = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            log.AppendLine(line);
        }

        var directory = Path.Combine(Path.GetTempPath(), "feddistill-bench-secagg-" + Guid.NewGuid().ToString("N")[..8]);
        var rows = new List<(Measurement Plain, Measurement Secure, Measurement Compact, Measurement Dropout)>();
        try
        {
            using var authority = CertificateAuthority.Create(Path.Combine(directory, "ca"), "bench", TimeSpan.FromDays(1));
            using var caCertificate = authority.GetPublicCertificate();
            var binding = new KeyBinding(caCertificate);
            var certificates = Enumerable.Range(0, settings.Sizes.Max())
                .Select(index => authority.IssueSilo($"org-{index:D3}", ["127.0.0.1"], Path.Combine(directory, "issued")))
                .Select(issued => FederationCertificates.LoadCertificateWithKey(issued.CertificatePath, issued.KeyPath))
                .ToArray();
            try
            {
                foreach (var size in settings.Sizes)
                {
                    var logits = RandomLogits(size, settings.Examples * settings.Classes, seed: size);
                    var plain = new List<Measurement>();
                    var secure = new List<Measurement>();
                    var compact = new List<Measurement>();
                    var dropout = new List<Measurement>();
                    for (var round = 1; round <= settings.Rounds; round++)
                    {
                        // Alternate which side goes first, so both see the same machine state on average.
                        if (round % 2 == 1) plain.Add(MeasurePlain(settings, logits, round));
                        secure.Add(MeasureSecure(settings, logits, certificates, binding, round, RoundsRing(size), dropouts: 0));
                        compact.Add(MeasureSecure(settings, logits, certificates, binding, round, FixedPointRing.Compact, dropouts: 0));
                        dropout.Add(MeasureSecure(settings, logits, certificates, binding, round, RoundsRing(size), dropouts: 1));
                        if (round % 2 == 0) plain.Add(MeasurePlain(settings, logits, round));
                    }
                    var row = (Median(plain), Median(secure), Median(compact), Median(dropout));
                    rows.Add(row);
                    foreach (var measurement in new[] { row.Item1, row.Item2, row.Item3, row.Item4 })
                        Say(string.Create(Invariant, $"bench: secagg organizations={size} case={measurement.Case} upload_bytes={measurement.UploadBytes:F0} download_bytes={measurement.DownloadBytes:F0} organization_ms={measurement.OrganizationSeconds * 1000:F1} aggregator_ms={measurement.AggregatorSeconds * 1000:F1}"));
                }
            }
            finally
            {
                foreach (var certificate in certificates) certificate.Dispose();
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        Say(string.Create(Invariant, $"load average after the rounds: {Machine.LoadAverage()}; {total.Elapsed.TotalSeconds:F0} s in all"));

        var targets = new List<BenchTarget>();
        if (rows.FirstOrDefault(row => row.Plain.Organizations == 10) is { Plain: not null } ten)
        {
            foreach (var secure in new[] { ten.Secure, ten.Compact })
            {
                var bytesRatio = secure.UploadBytes / ten.Plain.UploadBytes;
                var extra = secure.CriticalPathSeconds - ten.Plain.CriticalPathSeconds;
                var share = extra / settings.RoundSeconds;
                targets.Add(new BenchTarget($"{secure.Case}: upload bytes at 10 organizations at most 2× the plain fp16 upload", string.Create(Invariant, $"{bytesRatio:F3}×"), bytesRatio <= 2.0));
                targets.Add(new BenchTarget(string.Create(Invariant, $"{secure.Case}: extra time at 10 organizations at most 10 % of a {settings.RoundSeconds:F2} s round"),
                    string.Create(Invariant, $"{extra * 1000:F0} ms = {share * 100:F1} %"), share <= 0.10));
            }
        }
        foreach (var target in targets) Say(target.ToString());

        if (settings.Output is { } output)
        {
            var path = Path.GetFullPath(Path.Combine(root, output));
            MarkdownSection.Write(path, Heading, Section(settings, rows, targets, log.ToString()));
            Console.WriteLine($"bench: wrote the secure-summation section of {path}");
        }
        return 0;
    }

    private static Measurement MeasurePlain(Settings settings, float[][] logits, int round)
    {
        var report = new TeacherReport("teacher", "mlp", 25_450, 5_000, Enumerable.Repeat(500, settings.Classes).ToArray(), 0.8);
        const string fingerprint = "0000000000000000000000000000000000000000000000000000000000000000";
        var payloads = new byte[logits.Length][];
        var slowest = 0.0;
        for (var k = 0; k < logits.Length; k++)
        {
            var watch = Stopwatch.StartNew();
            payloads[k] = SoftLabelsCodec.Encode(round, $"org-{k:D3}", fingerprint, "float16", settings.Classes, [(report, logits[k])]);
            slowest = Math.Max(slowest, watch.Elapsed.TotalSeconds);
        }
        var aggregator = Stopwatch.StartNew();
        var sum = new float[settings.Examples * settings.Classes];
        for (var k = 0; k < logits.Length; k++)
        {
            var upload = SoftLabelsCodec.Decode(payloads[k], round, $"org-{k:D3}", fingerprint, settings.Examples, settings.Classes);
            var values = upload.Teachers[0].Logits;
            for (var i = 0; i < sum.Length; i++) sum[i] += values[i];
        }
        return new Measurement("plain", logits.Length, payloads.Average(payload => (double)payload.Length), 0, slowest, aggregator.Elapsed.TotalSeconds);
    }

    private static Measurement MeasureSecure(Settings settings, float[][] logits, X509Certificate2[] certificates, KeyBinding binding, int round, FixedPointRing ring, int dropouts)
    {
        var n = logits.Length;
        var session = new SecureSummationSession("bench", round, n / 2 + 1, settings.Examples * settings.Classes, ring);
        var participants = new SecureSummationParticipant[n];
        var organizationSeconds = new double[n];
        var upload = new double[n];
        var download = new double[n];
        try
        {
            for (var k = 0; k < n; k++) participants[k] = new SecureSummationParticipant(session, certificates[k], binding);
            var advertisements = new List<KeyAdvertisement>();
            for (var k = 0; k < n; k++)
            {
                var watch = Stopwatch.StartNew();
                advertisements.Add(participants[k].Advertise());
                organizationSeconds[k] += watch.Elapsed.TotalSeconds;
                upload[k] += Size(advertisements[k]);
            }
            var advertisementBytes = advertisements.Sum(Size);
            var bundles = new List<EncryptedShare>();
            for (var k = 0; k < n; k++)
            {
                var watch = Stopwatch.StartNew();
                var mine = participants[k].ShareKeys(advertisements);
                organizationSeconds[k] += watch.Elapsed.TotalSeconds;
                bundles.AddRange(mine);
                upload[k] += mine.Sum(Size);
                download[k] += advertisementBytes;
            }
            var aggregator = Stopwatch.StartNew();
            using var unmasker = new SecureSummationUnmasker(session, binding, advertisements, participants.Select(participant => participant.ParticipantId).ToList());
            var aggregatorSeconds = aggregator.Elapsed.TotalSeconds;
            var bundlesByHolder = bundles.ToLookup(bundle => bundle.To);
            for (var k = 0; k < n; k++)
            {
                var forMe = bundlesByHolder[participants[k].ParticipantId].ToList();
                download[k] += forMe.Sum(Size);
                var watch = Stopwatch.StartNew();
                var masked = participants[k].MaskInput(logits[k], forMe);
                organizationSeconds[k] += watch.Elapsed.TotalSeconds;
                // The last organizations drop out after masking: their inputs never arrive.
                if (k >= n - dropouts) continue;
                upload[k] += Encoding.UTF8.GetByteCount(masked.ParticipantId) + ring.Pack(masked.Values).Length;
                watch.Restart();
                unmasker.Add(masked);
                aggregatorSeconds += watch.Elapsed.TotalSeconds;
            }
            var survivors = unmasker.Survivors.ToList();
            var reveals = new List<RevealedShares>();
            for (var k = 0; k < n - dropouts; k++)
            {
                download[k] += survivors.Sum(id => Encoding.UTF8.GetByteCount(id));
                var watch = Stopwatch.StartNew();
                reveals.Add(participants[k].RevealShares(survivors));
                organizationSeconds[k] += watch.Elapsed.TotalSeconds;
                upload[k] += Size(reveals[^1]);
            }
            aggregator.Restart();
            var result = unmasker.Unmask(reveals);
            aggregatorSeconds += aggregator.Elapsed.TotalSeconds;
            if (result.Contributors.Count != n - dropouts) throw new InvalidOperationException($"{result.Contributors.Count} contributors; expected {n - dropouts}.");
            var surviving = Enumerable.Range(0, n - dropouts).ToArray();
            return new Measurement($"secure-{ring.RingBits}bit{(dropouts == 0 ? "" : $"-{dropouts}-dropout")}", n,
                surviving.Average(k => upload[k]), surviving.Average(k => download[k]), organizationSeconds.Max(), aggregatorSeconds);
        }
        finally
        {
            foreach (var participant in participants) participant?.Dispose();
        }
    }

    private static long Size(KeyAdvertisement advertisement) =>
        Encoding.UTF8.GetByteCount(advertisement.ParticipantId) + advertisement.EncryptionPublicKey.Length + advertisement.MaskingPublicKey.Length
        + advertisement.Certificate.Length + advertisement.Signature.Length;

    private static long Size(EncryptedShare bundle) =>
        Encoding.UTF8.GetByteCount(bundle.From) + Encoding.UTF8.GetByteCount(bundle.To) + bundle.Nonce.Length + bundle.Ciphertext.Length + bundle.Tag.Length;

    private static long Size(RevealedShares reveal) =>
        Encoding.UTF8.GetByteCount(reveal.From)
        + reveal.SelfMaskSeedShares.Concat(reveal.MaskingKeyShares).Sum(pair => Encoding.UTF8.GetByteCount(pair.Key) + 1 + pair.Value.Y.Length);

    // The ring secure rounds use (SecureRoundParameters.Ring in the grains): Z_2^31, F = 16, the largest bound n summands fit in.
    private static FixedPointRing RoundsRing(int organizations) => FixedPointRing.WithLargestBound(organizations, fractionalBits: 16, ringBits: 31);

    private static float[][] RandomLogits(int organizations, int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, organizations)
            .Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 16 - 8)).ToArray())
            .ToArray();
    }

    private static Measurement Median(List<Measurement> measurements) => new(
        measurements[0].Case,
        measurements[0].Organizations,
        Statistics.Median(measurements.Select(m => m.UploadBytes)),
        Statistics.Median(measurements.Select(m => m.DownloadBytes)),
        Statistics.Median(measurements.Select(m => m.OrganizationSeconds)),
        Statistics.Median(measurements.Select(m => m.AggregatorSeconds)));

    private static string Section(Settings settings, List<(Measurement Plain, Measurement Secure, Measurement Compact, Measurement Dropout)> rows, List<BenchTarget> targets, string log)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(string.Create(Invariant, $"Command: `./run bench secagg --sizes {string.Join(',', settings.Sizes)} --examples {settings.Examples} --classes {settings.Classes} --rounds {settings.Rounds}` ({DateTime.UtcNow:yyyy-MM-dd})."));
        text.AppendLine();
        text.AppendLine(string.Create(Invariant, $"""
            Machine: {Machine.CpuModel()}, shared with other work. One process plays every organization in
            turn and the aggregator, on {settings.Examples:N0} public examples × {settings.Classes} classes of random logits in
            [−8, 8]. *Plain* is the upload as it is today: one fp16 `SoftLabelsCodec` payload per
            organization, decoded and folded into a sum by the aggregator. *Secure* is the whole protocol
            (key advertisement, encrypted shares, masked upload, revealed shares, unmasking), threshold a
            majority (⌊n/2⌋ + 1), in the rounds' ring (Z_2^31, F = 16, the largest clip bound n summands fit
            in, bit-packed: 3.875 bytes a value) and the compact one (Z_2^24, F = 12, 3 bytes a value);
            *1 dropout* has the last organization vanish after sharing keys (in the rounds' ring), so the
            aggregator rebuilds its masking key and removes its pairwise masks from every survivor's upload.
            Bytes are payload bytes (keys, certificates, signatures, ciphertexts, ring words and ids; no
            framing). Organization time is the slowest organization's own compute (they run in parallel in a
            federation), aggregator time its own compute; each figure is the median of {settings.Rounds} rounds.
            """));
        text.AppendLine();
        text.AppendLine("| organizations | case | upload bytes / organization | × plain | download bytes / organization | organization ms | aggregator ms | critical path × plain |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (plain, secure, compact, dropout) in rows)
        {
            foreach (var m in new[] { plain, secure, compact, dropout })
            {
                text.AppendLine(string.Create(Invariant,
                    $"| {m.Organizations} | {m.Case} | {m.UploadBytes:N0} | {m.UploadBytes / plain.UploadBytes:F3} | {m.DownloadBytes:N0} | {m.OrganizationSeconds * 1000:F1} | {m.AggregatorSeconds * 1000:F1} | {m.CriticalPathSeconds / plain.CriticalPathSeconds:F2} |"));
            }
        }
        text.AppendLine();
        text.AppendLine(string.Create(Invariant, $"""
            The round-time target is stated against a real plain round of {settings.RoundSeconds:F2} s at 10 organizations
            (`--round-seconds`; the default is the 10-organization row of docs/benchmarks.md's federation
            table: 10 organization silos and the aggregator's as processes on this machine, mutual TLS,
            Azurite, 5,000 public examples, so a round on 10,000 examples is longer and the share smaller).
            The protocol's three extra exchanges (keys, shares, reveals) add network round trips that this
            in-process run does not see: three grain calls per organization, a few milliseconds each on a LAN.
            """));
        text.AppendLine();
        MarkdownSection.AppendTargetsAndLog(text, targets, log);
        return text.ToString();
    }

    private static Settings Parse(string[] args)
    {
        var settings = new Settings([3, 10, 50]);
        var reader = new ArgumentReader("secagg", args);
        while (reader.TryNext(out var option))
        {
            settings = option switch
            {
                "--sizes" => settings with { Sizes = reader.IntList(option, minimum: 2) },
                "--examples" => settings with { Examples = reader.Int(option, minimum: 1) },
                "--classes" => settings with { Classes = reader.Int(option, minimum: 1) },
                "--rounds" => settings with { Rounds = reader.Int(option, minimum: 1) },
                "--round-seconds" => settings with { RoundSeconds = reader.PositiveDouble(option) },
                "--output" => settings with { Output = reader.Value(option) },
                "--no-output" => settings with { Output = null },
                _ => throw reader.Unknown(option),
            };
        }
        if (settings.Sizes.Max() > 255) throw new BenchUsageException("secagg", "--sizes: at most 255 organizations (Shamir shares over GF(2^8)).");
        return settings;
    }
}
