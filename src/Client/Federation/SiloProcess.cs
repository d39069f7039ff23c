using System.Diagnostics;
using System.Text;

namespace FedDistill.Client.Federation;

/// <summary>
/// A silo running as its own process (<c>dotnet feddistill-silo.dll ...</c>), its output kept in
/// a log file. Disposing kills it (and its children) if it is still running.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly object _logLock = new();

    private SiloProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    /// <summary>Raised for every line the silo writes (on a thread-pool thread).</summary>
    public event Action<string>? OutputLine;

    /// <summary>A short name, for messages.</summary>
    public string Name { get; }

    /// <summary>Where its output goes.</summary>
    public string LogPath { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the silo with command-line configuration (<c>--Key=Value</c>).</summary>
    /// <param name="name">A short name for messages.</param>
    /// <param name="siloAssembly">Path of <c>feddistill-silo.dll</c>.</param>
    /// <param name="arguments">Arguments passed to the silo.</param>
    /// <param name="logPath">File receiving its stdout and stderr.</param>
    public static SiloProcess Start(string name, string siloAssembly, IEnumerable<string> arguments, string logPath)
    {
        if (!File.Exists(siloAssembly)) throw new FileNotFoundException($"The silo assembly {siloAssembly} does not exist; build src/Silo first (./run build).", siloAssembly);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(siloAssembly);
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        info.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        info.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        var silo = new SiloProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, line) => silo.Write(line.Data);
        process.ErrorDataReceived += (_, line) => silo.Write(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Kills the process tree at once (as a crash would) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until the process has exited on its own and its output is written to the log.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The last lines of the log.</summary>
    public string Tail(int lines = 40)
    {
        lock (_logLock) _log.Flush();
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"---- last lines of {LogPath} ----\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException error)
        {
            return $"(could not read {LogPath}: {error.Message})";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        lock (_logLock) _log.Dispose();
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_logLock)
        {
            if (_log.BaseStream.CanWrite) _log.WriteLine(line);
        }

        OutputLine?.Invoke(line);
    }
}
