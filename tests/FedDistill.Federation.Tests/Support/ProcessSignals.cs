using System.ComponentModel;
using System.Runtime.InteropServices;

namespace FedDistill.Federation.Tests.Support;

/// <summary>
/// Freezes and resumes a process as a stalled machine would (a hung VM, a long pause, a debugger):
/// SIGSTOP stops every thread at once without the process noticing, SIGCONT lets it run on from
/// where it stood. Linux signal numbers.
/// </summary>
public static class ProcessSignals
{
    private const int SignalContinue = 18;
    private const int SignalStop = 19;

    /// <summary>Stops the process (SIGSTOP); it cannot catch or ignore it.</summary>
    public static void Freeze(int processId) => Send(processId, SignalStop);

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public static void Resume(int processId) => Send(processId, SignalContinue);

    private static void Send(int processId, int signal)
    {
        if (Kill(processId, signal) != 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({processId}, {signal}) failed.");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);
}
