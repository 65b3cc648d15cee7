using System.Runtime.InteropServices;

namespace LabelRep.Native;

/// <summary>
/// What ties a study's worker processes to their parent: a worker asks the kernel for SIGTERM when its parent dies (any
/// death, SIGKILL included: prctl's PR_SET_PDEATHSIG), and a parent that is stopped passes SIGTERM on to its workers, so
/// that each saves what it finished and ends. Linux only; elsewhere both do nothing and the parent's kill remains.
/// </summary>
public static class ProcessLinks
{
    /// <summary>The environment variable in which a parent hands its process id to its workers.</summary>
    public const string ParentVariable = "LABELREP_PARENT_PID";

    private const int PrSetPdeathsig = 1;
    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();

    /// <summary>
    /// In a worker: SIGTERM to this process when the parent named by <see cref="ParentVariable"/> dies. Returns false when
    /// that parent is already gone (the worker should end at once), true otherwise (also where this is not Linux).
    /// </summary>
    public static bool DieWithParent()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(ParentVariable) is not { } text || !int.TryParse(text, out int parent)) return true;
        Prctl(PrSetPdeathsig, SigTerm, 0, 0, 0);
        // The parent may have died between the fork and the prctl: the worker then has another parent already.
        return GetParentPid() == parent;
    }

    /// <summary>Asks a process to end (SIGTERM); false where that is not possible here.</summary>
    public static bool Terminate(int pid) => OperatingSystem.IsLinux() && Kill(pid, SigTerm) == 0;
}
