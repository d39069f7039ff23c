using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace FedDistill.Bench;

/// <summary>
/// The serving benchmark's load generator: each client a thread of its own with one keep-alive
/// HTTP/1.1 connection (a blocking socket, Nagle off) that sends a prepared request, reads the whole
/// answer (Content-Length or chunked) and sends the next; no HttpClient, no per-request allocation
/// but the latency list. Each thread measures its own CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>), so
/// the generator's share of the cores is known apart from the server's in the same process.
/// </summary>
internal static partial class RawHttpLoad
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID on Linux
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] CrLf = "\r\n"u8.ToArray();

    /// <summary>What the clients saw: latencies of the 200 answers in milliseconds, the other answers, and the clients' CPU seconds together.</summary>
    public sealed record Result(List<double> Latencies, int Failed, double ClientCpuSeconds);

    /// <summary>A complete HTTP/1.1 request (<c>POST /v1/predict</c> with <paramref name="body"/>) for <paramref name="server"/>.</summary>
    public static byte[] Request(Uri server, string contentType, byte[] body)
    {
        var head = Encoding.ASCII.GetBytes(
            $"POST /v1/predict HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n\r\n");
        return [.. head, .. body];
    }

    /// <summary>
    /// <paramref name="clients"/> clients, each sending one request after another (cycling through
    /// <paramref name="requests"/>, each a whole HTTP message from <see cref="Request"/>) and waiting
    /// for each answer, until <paramref name="maxRequests"/> have been sent or <paramref name="seconds"/> have passed.
    /// </summary>
    public static Result Drive(Uri server, IReadOnlyList<byte[]> requests, int clients, int maxRequests, double seconds)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(server.Host), server.Port);
        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var sent = 0;
        var results = new (List<double> Latencies, int Failed, double Cpu)[clients];
        Exception? failure = null;
        var threads = Enumerable.Range(0, clients).Select(index => new Thread(() =>
        {
            try
            {
                results[index] = Client(endpoint, requests, index, deadline, maxRequests, ref sent);
            }
            catch (Exception error) when (error is SocketException or IOException or InvalidDataException)
            {
                Interlocked.CompareExchange(ref failure, error, null);
            }
        })
        { IsBackground = true, Name = $"load client {index}" }).ToList();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        if (failure is not null) throw new InvalidOperationException($"A load client failed: {failure.Message}", failure);
        return new Result(results.SelectMany(result => result.Latencies).ToList(), results.Sum(result => result.Failed), results.Sum(result => result.Cpu));
    }

    private static (List<double> Latencies, int Failed, double Cpu) Client(IPEndPoint endpoint, IReadOnlyList<byte[]> requests, int index, long deadline, int maxRequests, ref int sent)
    {
        var latencies = new List<double>(4096);
        var failed = 0;
        var buffer = new byte[256 * 1024];
        var socket = Connect(endpoint);
        var cpuStarted = ThreadCpuSeconds();
        try
        {
            var next = index;
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref sent) <= maxRequests)
            {
                var request = requests[next++ % requests.Count];
                var started = Stopwatch.GetTimestamp();
                socket.Send(request);
                var (status, close) = ReadResponse(socket, buffer);
                if (status == 200) latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else failed++;
                if (close)
                {
                    socket.Dispose();
                    socket = Connect(endpoint);
                }
            }
            return (latencies, failed, ThreadCpuSeconds() - cpuStarted);
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static Socket Connect(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endpoint);
        return socket;
    }

    // Reads one response whole; returns its status and whether the server closes the connection.
    private static (int Status, bool Close) ReadResponse(Socket socket, byte[] buffer)
    {
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf(HeaderEnd)) < 0) filled = Receive(socket, buffer, filled);
        var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
        var status = int.Parse(head.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var close = false;
        long? length = null;
        var chunked = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var name = line.AsSpan(0, colon).Trim();
            var value = line.AsSpan(colon + 1).Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, provider: System.Globalization.CultureInfo.InvariantCulture);
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
        }

        var position = headerEnd + HeaderEnd.Length;
        if (!chunked)
        {
            var end = position + (length ?? 0);
            while (filled < end) filled = Receive(socket, buffer, filled);
            return (status, close);
        }

        // Chunked: size line, data, CRLF, until the size-0 chunk and the empty line after it.
        while (true)
        {
            int lineEnd;
            while ((lineEnd = buffer.AsSpan(position, filled - position).IndexOf(CrLf)) < 0) filled = Receive(socket, buffer, filled);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(buffer, position, lineEnd).Split(';')[0].Trim(), 16);
            position += lineEnd + CrLf.Length;
            var end = position + size + CrLf.Length;
            while (filled < end) filled = Receive(socket, buffer, filled);
            position = end;
            if (size == 0) return (status, close);
        }
    }

    private static int Receive(Socket socket, byte[] buffer, int filled)
    {
        if (filled == buffer.Length) throw new InvalidDataException($"A response is larger than {buffer.Length} bytes.");
        var read = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
        if (read == 0) throw new IOException("The server closed the connection in the middle of a response.");
        return filled + read;
    }

    private static double ThreadCpuSeconds() => ClockGetTime(ThreadCpuClock, out var time) == 0 ? time.Seconds + time.Nanoseconds / 1e9 : double.NaN;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
