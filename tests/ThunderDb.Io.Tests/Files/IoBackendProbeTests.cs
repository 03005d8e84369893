using ThunderDb.Io.Files;

namespace ThunderDb.Io.Tests.Files;

public class IoBackendProbeTests
{
    [Test]
    public async Task Probe_agrees_with_the_kernel_setting_and_with_what_Auto_opens()
    {
        var setting = File.Exists("/proc/sys/kernel/io_uring_disabled") ? (await File.ReadAllTextAsync("/proc/sys/kernel/io_uring_disabled")).Trim() : "absent";
        var probe = IoBackendProbe.Result;
        if (setting == "2")
        {
            await Assert.That(probe.IoUringAvailable).IsFalse();
        }

        await Assert.That(probe.AutoChoice).IsEqualTo(probe.IoUringAvailable ? IoBackendKind.IoUring : IoBackendKind.Posix);
        await Assert.That(probe.Reason).IsNotEmpty();

        using var dir = new TempDirectory();
        using var file = StorageFile.Open(dir.Combine("a.db"), new FileOpenOptions());
        await Assert.That(file.BackendName).IsEqualTo(probe.IoUringAvailable ? "io_uring" : "posix");
    }

    [Test]
    public async Task This_machine_allows_io_uring()
    {
        // The project's machines run Linux 6.18 with kernel.io_uring_disabled = 0; if this fails the reason says why.
        var probe = IoBackendProbe.Result;
        await Assert.That(probe.IoUringAvailable).IsTrue().Because(probe.Reason);
    }

    [Test]
    [Arguments(2, 1, "disabled system-wide")]
    [Arguments(1, 1, "restricted to privileged processes")]
    [Arguments(0, 38, "seccomp")]
    [Arguments(0, 1, "seccomp")]
    [Arguments(0, 13, "EACCES")]
    [Arguments(0, 12, "RLIMIT_MEMLOCK")]
    public async Task Refusals_fall_back_to_posix_with_a_reason(int disabledSetting, int errno, string expectedReason)
    {
        var result = IoBackendProbe.Explain(disabledSetting, errno, "io_uring_setup");
        await Assert.That(result.IoUringAvailable).IsFalse();
        await Assert.That(result.AutoChoice).IsEqualTo(IoBackendKind.Posix);
        await Assert.That(result.Errno).IsEqualTo(errno);
        await Assert.That(result.Reason).Contains(expectedReason);
        await Assert.That(result.Reason).Contains("pread/pwrite");
    }

    [Test]
    public async Task Forcing_io_uring_when_unavailable_is_a_clear_error_and_Auto_falls_back()
    {
        using var dir = new TempDirectory();
        var refused = IoBackendProbe.Explain(null, 38, "io_uring_setup");
        var path = dir.Combine("a.db");

        var e = await Assert.That(() => StorageFileFactory.Open(path, new FileOpenOptions { Backend = IoBackendKind.IoUring }, null, refused))
            .Throws<IoException>();
        await Assert.That(e!.Errno).IsEqualTo(38);
        await Assert.That(e.Message).Contains("io_uring");
        await Assert.That(e.Message).Contains(path);
        await Assert.That(e.Message).Contains("storage.io_backend");
        await Assert.That(File.Exists(path)).IsFalse(); // refused before anything was created

        using var auto = StorageFileFactory.Open(path, new FileOpenOptions(), null, refused);
        await Assert.That(auto.BackendName).IsEqualTo("posix");
    }
}
