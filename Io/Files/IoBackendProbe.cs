using ThunderDb.Io.Native;
using ThunderDb.Io.Uring;

namespace ThunderDb.Io.Files;

/// <summary>What <see cref="IoBackendKind.Auto"/> resolves to on this machine, and why.</summary>
/// <param name="IoUringAvailable">True when an io_uring ring could be set up with the ops ThunderDB needs.</param>
/// <param name="AutoChoice"><see cref="IoBackendKind.IoUring"/> or <see cref="IoBackendKind.Posix"/>.</param>
/// <param name="Errno">The errno that ruled io_uring out, or 0.</param>
/// <param name="Reason">One line for the startup log.</param>
public sealed record IoBackendProbeResult(bool IoUringAvailable, IoBackendKind AutoChoice, int Errno, string Reason);

/// <summary>
/// Probes io_uring once per process: reads <c>/proc/sys/kernel/io_uring_disabled</c>, then sets up
/// the ring that every io_uring file of the process shares. The host logs <see cref="Result"/> at startup.
/// </summary>
public static class IoBackendProbe
{
    /// <summary>Submission-queue entries of the shared ring (its CQ has twice as many, bounding operations in flight).</summary>
    public const uint SharedRingEntries = 128;

    private const string DisabledSettingPath = "/proc/sys/kernel/io_uring_disabled";

    private static readonly Lazy<(IoBackendProbeResult Result, IoUringRing? Ring)> s_probe = new(Run, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The backend Auto picks and the reason; probing happens on first use.</summary>
    public static IoBackendProbeResult Result => s_probe.Value.Result;

    /// <summary>The process-wide ring, or null when io_uring is unavailable.</summary>
    internal static IoUringRing? SharedRing => s_probe.Value.Ring;

    private static (IoBackendProbeResult, IoUringRing?) Run()
    {
        var disabled = ReadDisabledSetting();
        if (disabled == 2)
        {
            return (Explain(disabled, Libc.EPERM, "io_uring_setup"), null);
        }

        if (!IoUringRing.TryCreate(SharedRingEntries, out var ring, out var errno, out var failure))
        {
            return (Explain(disabled, errno, failure), null);
        }

        var reason = $"io_uring available ({ring.SubmissionEntries} SQ / {ring.CqEntries} CQ entries, features 0x{ring.Features:x}" +
                     (disabled is null ? ")" : $", kernel.io_uring_disabled = {disabled})");
        return (new IoBackendProbeResult(true, IoBackendKind.IoUring, 0, reason), ring);
    }

    /// <summary>
    /// Turns a refusal into the posix choice with a reason a person can act on.
    /// <paramref name="disabledSetting"/> is the value of kernel.io_uring_disabled (null when absent).
    /// </summary>
    internal static IoBackendProbeResult Explain(int? disabledSetting, int errno, string failure)
    {
        var why = (disabledSetting, errno) switch
        {
            (2, _) => "io_uring is disabled system-wide (kernel.io_uring_disabled = 2)",
            (1, Libc.EPERM or Libc.EACCES) =>
                "io_uring is restricted to privileged processes (kernel.io_uring_disabled = 1) and this process is not one",
            (_, Libc.ENOSYS) => "the kernel has no io_uring, or a seccomp filter hides it (ENOSYS)",
            (_, Libc.EPERM) => "io_uring is blocked by a seccomp filter or security policy (EPERM)",
            (_, Libc.EACCES) => "io_uring is denied by a security module (EACCES)",
            (_, Libc.ENOMEM) => "the ring could not be allocated (ENOMEM; RLIMIT_MEMLOCK on kernels before 5.12)",
            _ => $"{failure} failed: {Libc.ErrorText(errno)} (errno {errno})",
        };
        return new IoBackendProbeResult(false, IoBackendKind.Posix, errno, $"{why}; using pread/pwrite");
    }

    private static int? ReadDisabledSetting()
    {
        try
        {
            return int.TryParse(File.ReadAllText(DisabledSettingPath).Trim(), out var value) ? value : null;
        }
        catch (IOException)
        {
            return null; // kernels before 6.6 have no such setting
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
