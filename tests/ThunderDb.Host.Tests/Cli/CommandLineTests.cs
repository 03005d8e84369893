using ThunderDb.Host.Cli;

namespace ThunderDb.Host.Tests.Cli;

public class CommandLineTests
{
    [Test]
    public async Task No_arguments_means_embedded_defaults()
    {
        var o = CommandLine.Parse([]);
        await Assert.That(o).IsEqualTo(new CommandLineOptions());
    }

    [Test]
    public async Task Every_flag_with_a_separate_value()
    {
        var o = CommandLine.Parse(["--config", "/etc/t.toml", "--data-dir", "/d", "--listen", "0.0.0.0", "--verbose"]);
        await Assert.That(o.ConfigPath).IsEqualTo("/etc/t.toml");
        await Assert.That(o.DataDir).IsEqualTo("/d");
        await Assert.That(o.Listen).IsEqualTo("0.0.0.0");
        await Assert.That(o.Verbose).IsTrue();
        await Assert.That(o.Help).IsFalse();
    }

    [Test]
    public async Task Flags_accept_equals_form()
    {
        var o = CommandLine.Parse(["--config=/etc/t.toml", "--data-dir=/d", "--listen=::1"]);
        await Assert.That(o.ConfigPath).IsEqualTo("/etc/t.toml");
        await Assert.That(o.DataDir).IsEqualTo("/d");
        await Assert.That(o.Listen).IsEqualTo("::1");
    }

    [Test]
    public async Task Hash_password_refuses_a_secret_longer_than_bcrypt_reads()
    {
        var exactly72 = new string('a', 72);
        await Assert.That(CommandLine.Parse(["--hash-password", exactly72]).HashPassword).IsEqualTo(exactly72);
        await Assert.That(() => CommandLine.Parse(["--hash-password", new string('a', 73)]))
            .Throws<CommandLineException>().WithMessageContaining("the secret is 73 bytes, bcrypt uses only the first 72");

        // Bytes, not characters: 37 two-byte characters are 74 bytes.
        await Assert.That(() => CommandLine.Parse(["--hash-password=" + new string('é', 37)]))
            .Throws<CommandLineException>().WithMessageContaining("74 bytes");
    }

    [Test]
    public async Task Hash_help_and_version()
    {
        await Assert.That(CommandLine.Parse(["--hash-password", "s3cret"]).HashPassword).IsEqualTo("s3cret");
        await Assert.That(CommandLine.Parse(["--help"]).Help).IsTrue();
        await Assert.That(CommandLine.Parse(["-h"]).Help).IsTrue();
        await Assert.That(CommandLine.Parse(["--version"]).Version).IsTrue();
    }

    [Test]
    public async Task Restore_pitr_with_backup_parses_rfc3339()
    {
        var o = CommandLine.Parse(["--restore-pitr", "2025-01-15T12:30:00Z", "--restore-backup", "/b"]);
        await Assert.That(o.RestorePitr).IsEqualTo(new DateTimeOffset(2025, 1, 15, 12, 30, 0, TimeSpan.Zero));
        await Assert.That(o.RestoreBackup).IsEqualTo("/b");

        var withOffset = CommandLine.Parse(["--restore-pitr", "2025-01-15T14:30:00.250+02:00", "--restore-backup", "/b"]);
        await Assert.That(withOffset.RestorePitr!.Value.UtcDateTime).IsEqualTo(new DateTime(2025, 1, 15, 12, 30, 0, 250, DateTimeKind.Utc));
    }

    [Test]
    [Arguments("2025-01-15")]
    [Arguments("2025-01-15T12:30:00")]
    [Arguments("15/01/2025 12:30")]
    [Arguments("2025-13-15T12:30:00Z")]
    [Arguments("yesterday")]
    public async Task Malformed_timestamp_is_a_usage_error(string text)
    {
        await Assert.That(() => CommandLine.Parse(["--restore-pitr", text, "--restore-backup", "/b"]))
            .Throws<CommandLineException>().WithMessageContaining("RFC 3339");
    }

    [Test]
    public async Task Restore_pitr_without_backup_is_a_usage_error()
    {
        await Assert.That(() => CommandLine.Parse(["--restore-pitr", "2025-01-15T12:30:00Z"]))
            .Throws<CommandLineException>().WithMessageContaining("--restore-backup");
    }

    [Test]
    [Arguments("--bogus")]
    [Arguments("-x")]
    [Arguments("stray")]
    public async Task Unknown_arguments_are_rejected(string arg)
    {
        await Assert.That(() => CommandLine.Parse([arg])).Throws<CommandLineException>().WithMessageContaining(arg);
    }

    [Test]
    public async Task Missing_value_duplicate_flag_and_value_on_switch_are_rejected()
    {
        await Assert.That(() => CommandLine.Parse(["--config"])).Throws<CommandLineException>().WithMessageContaining("needs a value");
        await Assert.That(() => CommandLine.Parse(["--config", "--verbose"])).Throws<CommandLineException>().WithMessageContaining("needs a value");
        await Assert.That(() => CommandLine.Parse(["--data-dir", ""])).Throws<CommandLineException>().WithMessageContaining("non-empty");
        await Assert.That(() => CommandLine.Parse(["--listen", "a", "--listen", "b"])).Throws<CommandLineException>().WithMessageContaining("more than once");
        await Assert.That(() => CommandLine.Parse(["--verbose=yes"])).Throws<CommandLineException>().WithMessageContaining("takes no value");
    }
}
