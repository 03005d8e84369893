using ThunderDb.Host.Cli;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Tests.Configuration;

public class StartupChecksTests
{
    private const string Hash = "$2b$12$L3ypUdyohuWlWgp0H57OEer/fTlTGX2jsryb1YICJZK6GvuuZAT7G";

    private static ConfigException? Verify(TempDirectory dir, string toml, CommandLineOptions? cli = null)
    {
        var path = dir.Write("t.toml", toml);
        var settings = ConfigLoader.Load(toml, path, cli ?? new CommandLineOptions(), new Dictionary<string, string>());
        try
        {
            StartupChecks.Verify(settings);
            return null;
        }
        catch (ConfigException e)
        {
            return e;
        }
    }

    [Test]
    public async Task A_missing_data_dir_under_an_existing_parent_is_fine_and_not_created()
    {
        using var dir = new TempDirectory();
        var e = Verify(dir, $"data_dir = \"{dir.Combine("data")}\"\n");
        await Assert.That(e).IsNull();
        await Assert.That(Directory.Exists(dir.Combine("data"))).IsFalse();
    }

    [Test]
    public async Task A_data_dir_whose_parent_is_missing_is_an_error_naming_file_line_and_key()
    {
        using var dir = new TempDirectory();
        var e = Verify(dir, $"\ndata_dir = \"{dir.Combine("no/such/data")}\"\n");
        await Assert.That(e).IsNotNull();
        await Assert.That(e!.Origin).IsEqualTo(dir.Combine("t.toml") + ":2");
        await Assert.That(e.Key).IsEqualTo("data_dir");
        await Assert.That(e.Problem).Contains("does not exist");
        await Assert.That(Directory.Exists(dir.Combine("no"))).IsFalse();
    }

    [Test]
    public async Task Wal_dir_and_log_file_directories_are_checked()
    {
        using var dir = new TempDirectory();
        var wal = Verify(dir, $"data_dir = \"{dir.Path}\"\nwal_dir = \"{dir.Combine("x/y/wal")}\"\n");
        await Assert.That(wal!.Key).IsEqualTo("wal_dir");

        var log = Verify(dir, $"data_dir = \"{dir.Path}\"\n[logging]\nfile = \"{dir.Combine("nodir/t.log")}\"\n");
        await Assert.That(log!.Key).IsEqualTo("logging.file");
        await Assert.That(log.Origin).EndsWith(":3");
    }

    [Test]
    public async Task A_file_where_the_data_dir_should_be_is_an_error()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("occupied", "x");
        var e = Verify(dir, $"data_dir = \"{file}\"\n");
        await Assert.That(e!.Problem).Contains("is a file, not a directory");
    }

    [Test]
    public async Task Protected_mode_refuses_a_public_address_without_authentication()
    {
        using var dir = new TempDirectory();
        var e = Verify(dir, $"data_dir = \"{dir.Path}\"\n", new CommandLineOptions { Listen = "0.0.0.0" });
        await Assert.That(e).IsNotNull();
        await Assert.That(e!.Origin).IsEqualTo("--listen");
        await Assert.That(e.Problem).Contains("protected mode");
        await Assert.That(e.Problem).Contains("allow_unauthenticated_network = true");
        await Assert.That(e.Problem).Contains("authentication_enabled = true");

        var allowed = Verify(dir, $"data_dir = \"{dir.Path}\"\nlisten_addr = \"0.0.0.0\"\n[security]\nallow_unauthenticated_network = true\n");
        await Assert.That(allowed).IsNull();

        var authenticated = Verify(dir, $"data_dir = \"{dir.Path}\"\nlisten_addr = \"0.0.0.0\"\n[security]\nauthentication_enabled = true\nsuperuser_password_hash = \"{Hash}\"\n");
        await Assert.That(authenticated).IsNull();

        var loopback6 = Verify(dir, $"data_dir = \"{dir.Path}\"\nlisten_addr = \"::1\"\n");
        await Assert.That(loopback6).IsNull();
    }

    [Test]
    public async Task Authentication_needs_a_superuser_password_hash()
    {
        using var dir = new TempDirectory();
        var e = Verify(dir, $"data_dir = \"{dir.Path}\"\n[security]\nauthentication_enabled = true\n");
        await Assert.That(e!.Key).IsEqualTo("security.authentication_enabled");
        await Assert.That(e.Problem).Contains("THUNDERDB_SUPERUSER_PASSWORD_HASH");
        await Assert.That(e.Problem).Contains("--hash-password");
    }

    [Test]
    public async Task Tls_files_must_exist_and_peers_are_not_supported_yet()
    {
        using var dir = new TempDirectory();
        var tls = Verify(dir, $"data_dir = \"{dir.Path}\"\n[security]\ntls_enabled = true\ntls_cert_path = \"{dir.Combine("c.crt")}\"\ntls_key_path = \"{dir.Combine("c.key")}\"\n");
        await Assert.That(tls!.Key).IsEqualTo("security.tls_cert_path");
        await Assert.That(tls.Origin).EndsWith(":4");

        var peers = Verify(dir, $"data_dir = \"{dir.Path}\"\n[cluster]\npeers = [\"node2:9090\"]\n");
        await Assert.That(peers!.Key).IsEqualTo("cluster.peers");
        await Assert.That(peers.Problem).Contains("not supported yet");
    }
}
