using System.Diagnostics;
using ThunderDb.Host.Tests.EndToEnd;
using static ThunderDb.Host.Tests.Resp.RedisDifferentialTests;

namespace ThunderDb.Host.Tests.Resp;

/// <summary>
/// Lua scripting against the published binary: redis-cli for what a user types, raw RESP clients for SCRIPT KILL /
/// -BUSY, atomicity under SIGKILL with sync_commit = true, and a job queue driven by scripts from 8 clients.
/// Byte-exact replies against redis-server are in <c>differential-corpus-scripting.txt</c>.
/// </summary>
[NotInParallel("thunderdb-process")]
public class ScriptingTests
{
    [Before(Class)]
    public static async Task PublishOnce() => await PublishedBinary.PathAsync();

    [Test]
    [Timeout(60_000)]
    public async Task Eval_evalsha_script_load_and_noscript_with_redis_cli(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        int port = server.RespPort;

        var eval = await ExternalTool.RedisCliAsync(port, "EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])", "1", "greeting", "hello");
        await Assert.That(eval.Stdout.Trim()).IsEqualTo("hello").Because(eval.ToString());

        var sha = (await ExternalTool.RedisCliAsync(port, "SCRIPT", "LOAD", "return {KEYS[1], ARGV[1], 3.7, true, false}")).Stdout.Trim();
        await Assert.That(sha.Length).IsEqualTo(40);
        var evalsha = await ExternalTool.RedisCliAsync(port, "EVALSHA", sha, "1", "k", "a");
        // 3.7 truncates to 3, true is 1, false a nil (redis-cli prints an empty line)
        await Assert.That(evalsha.Stdout).IsEqualTo("k\na\n3\n1\n\n").Because(evalsha.Stdout);

        var exists = await ExternalTool.RedisCliAsync(port, "SCRIPT", "EXISTS", sha, "0000000000000000000000000000000000000000");
        await Assert.That(exists.Lines).IsEquivalentTo(["1", "0"], TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await ExternalTool.RedisCliAsync(port, "SCRIPT", "FLUSH");
        var missing = await ExternalTool.RedisCliAsync(port, "EVALSHA", sha, "0");
        await Assert.That(missing.Stdout.Trim()).IsEqualTo("NOSCRIPT No matching script. Please use EVAL.");

        var failing = await ExternalTool.RedisCliAsync(port, "EVAL", "local v = redis.call('INCR', KEYS[1]) return v", "1", "greeting");
        await Assert.That(failing.Stdout.Trim()).StartsWith("ERR value is not an integer or out of range script: ").Because(failing.ToString());
        await Assert.That(failing.Stdout.Trim()).EndsWith(", on @user_script:1.");
        var compile = await ExternalTool.RedisCliAsync(port, "EVAL", "return 1 +", "0");
        await Assert.That(compile.Stdout.Trim()).StartsWith("ERR Error compiling script (new function): user_script:1: ");
        var runtime = await ExternalTool.RedisCliAsync(port, "EVAL", "\nlocal x = nil return x.y", "0");
        await Assert.That(runtime.Stdout.Trim()).StartsWith("ERR user_script:2: attempt to index a nil value");
        await Assert.That(runtime.Stdout.Trim()).EndsWith(", on @user_script:2.");
        var caught = await ExternalTool.RedisCliAsync(port, "EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "greeting");
        await Assert.That(caught.Stdout.Trim()).IsEqualTo("ERR value is not an integer or out of range");

        foreach (string escape in new[] { "os.exit()", "io.open('/etc/passwd')", "loadstring('return 1')", "dofile('/etc/passwd')", "require('os')", "debug.getinfo(1)" })
        {
            var refused = await ExternalTool.RedisCliAsync(port, "EVAL", escape, "0");
            await Assert.That(refused.Stdout).Contains("Script attempted to access nonexistent global variable").Because(escape + ": " + refused);
        }

        var global = await ExternalTool.RedisCliAsync(port, "EVAL", "leak = 1", "0");
        await Assert.That(global.Stdout).Contains("Attempt to modify a readonly table");
        var readOnly = await ExternalTool.RedisCliAsync(port, "EVAL_RO", "return redis.call('DEL', KEYS[1])", "1", "greeting");
        await Assert.That(readOnly.Stdout).Contains("Write commands are not allowed from read-only scripts.");
        var noWrites = await ExternalTool.RedisCliAsync(port, "EVAL", "#!lua flags=no-writes\nreturn redis.call('DEL', KEYS[1])", "1", "greeting");
        await Assert.That(noWrites.Stdout).Contains("Write commands are not allowed from read-only scripts.");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "GET", "greeting")).Stdout.Trim()).IsEqualTo("hello");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Function_load_fcall_list_and_delete(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        int port = server.RespPort;
        const string Library = """
            #!lua name=counters
            local function bump(keys, args) return redis.call('INCRBY', keys[1], args[1]) end
            redis.register_function('bump', bump)
            redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}
            """;
        var load = await ExternalTool.RedisCliAsync(port, "FUNCTION", "LOAD", Library);
        await Assert.That(load.Stdout.Trim()).IsEqualTo("counters").Because(load.ToString());
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FCALL", "bump", "1", "c", "5")).Stdout.Trim()).IsEqualTo("5");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FCALL", "bump", "1", "c", "2")).Stdout.Trim()).IsEqualTo("7");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FCALL_RO", "peek", "1", "c")).Stdout.Trim()).IsEqualTo("7");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FCALL_RO", "bump", "1", "c", "1")).Stdout).Contains("Can not execute a script with write flag using *_ro command.");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FUNCTION", "LOAD", Library)).Stdout).Contains("Library 'counters' already exists");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FUNCTION", "LOAD", "REPLACE", Library)).Stdout.Trim()).IsEqualTo("counters");
        var list = await ExternalTool.RedisCliAsync(port, "FUNCTION", "LIST");
        await Assert.That(list.Lines).Contains("counters").And.Contains("bump").And.Contains("no-writes");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FUNCTION", "DELETE", "counters")).Stdout.Trim()).IsEqualTo("OK");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FCALL", "bump", "1", "c", "1")).Stdout.Trim()).IsEqualTo("ERR Function not found");
        await Assert.That((await ExternalTool.RedisCliAsync(port, "FUNCTION", "DUMP")).Stdout).Contains("not supported yet");
    }

    [Test]
    [Timeout(60_000)]
    public async Task A_long_script_makes_others_busy_and_script_kill_stops_it(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using var server = await RunningServer.StartAsync(dir, ct: ct);
        using var runner = await RespTestClient.ConnectAsync(server.RespPort, "runner", ct);
        using var other = await RespTestClient.ConnectAsync(server.RespPort, "other", ct);
        await Assert.That((await other.CallAsync(["CONFIG", "SET", "busy-reply-threshold", "100"], ct)).ToString()).IsEqualTo("+OK");
        await Assert.That((await other.CallAsync(["SCRIPT", "KILL"], ct)).ToString()).StartsWith("-NOTBUSY");

        var loop = runner.CallAsync(["EVAL", "local i = 0 while true do i = i + 1 end", "0"], ct);
        string busy = await UntilAsync(other, ["GET", "k"], r => r.StartsWith("-BUSY", StringComparison.Ordinal), ct);
        await Assert.That(busy).IsEqualTo("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
        await Assert.That((await other.CallAsync(["FUNCTION", "KILL"], ct)).ToString()).StartsWith("-BUSY");
        await Assert.That((await other.CallAsync(["SCRIPT", "KILL"], ct)).ToString()).IsEqualTo("+OK");
        await Assert.That((await loop).ToString()).StartsWith("-ERR Script killed by user with SCRIPT KILL...");
        await Assert.That((await other.CallAsync(["PING"], ct)).ToString()).IsEqualTo("+PONG");

        // A script that wrote cannot be killed (as in Redis); it still finishes atomically.
        var writer = runner.CallAsync(["EVAL", "redis.call('SET', 'w', '1') local t = redis.call('TIME') while redis.call('TIME')[1] - t[1] < 2 do end return 'done'", "0"], ct);
        await UntilAsync(other, ["PING"], r => r.StartsWith("-BUSY", StringComparison.Ordinal), ct);
        await Assert.That((await other.CallAsync(["SCRIPT", "KILL"], ct)).ToString()).StartsWith("-UNKILLABLE Sorry the script already executed write commands");
        await Assert.That((await writer).ToString()).IsEqualTo("\"done\"");
        await Assert.That((await other.CallAsync(["GET", "w"], ct)).ToString()).IsEqualTo("\"1\"");
    }

    private static async Task<string> UntilAsync(RespTestClient client, string[] command, Func<string, bool> done, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            string reply = (await client.CallAsync(command, ct)).ToString();
            if (done(reply) || watch.Elapsed > TimeSpan.FromSeconds(10))
            {
                return reply;
            }

            await Task.Delay(20, ct);
        }
    }

    [Test]
    [Timeout(90_000)]
    public async Task A_script_killed_by_sigkill_leaves_none_of_its_writes_and_a_finished_one_all(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct))
        {
            using var client = await RespTestClient.ConnectAsync(first.RespPort, "c", ct);
            using var probe = await RespTestClient.ConnectAsync(first.RespPort, "probe", ct);
            await Assert.That((await client.CallAsync(["EVAL", "for i = 1, 500 do redis.call('SET', 'done:' .. i, i) end return 500", "0"], ct)).ToString()).IsEqualTo(":500");
            await Assert.That((await probe.CallAsync(["CONFIG", "SET", "busy-reply-threshold", "100"], ct)).ToString()).IsEqualTo("+OK");
            _ = client.CallAsync(["EVAL", "for i = 1, 500 do redis.call('SET', 'half:' .. i, i) end while true do end", "0"], ct);
            // Half-way: the writes are made inside the script's transaction, invisible to everyone else.
            await UntilAsync(probe, ["PING"], r => r.StartsWith("-BUSY", StringComparison.Ordinal), ct);
            await first.KillAsync();
        }

        await using var second = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct);
        var dbsize = await ExternalTool.RedisCliAsync(second.RespPort, "DBSIZE");
        await Assert.That(dbsize.Stdout.Trim()).IsEqualTo("500").Because(dbsize.ToString());
        var half = await ExternalTool.RedisCliAsync(second.RespPort, "EXISTS", "half:1", "half:500");
        await Assert.That(half.Stdout.Trim()).IsEqualTo("0");
        var done = await ExternalTool.RedisCliAsync(second.RespPort, "GET", "done:500");
        await Assert.That(done.Stdout.Trim()).IsEqualTo("500");
    }

    [Test]
    [Timeout(60_000)]
    public async Task Without_liblua54_scripts_fail_with_a_clear_error_and_the_server_runs_on(CancellationToken ct)
    {
        using var dir = new TempDirectory();
        string binary = dir.Combine("thunderdb");
        File.Copy(await PublishedBinary.PathAsync(), binary);
        await using var server = await RunningServer.StartAsync(dir, ct: ct, binary: binary);
        var eval = await ExternalTool.RedisCliAsync(server.RespPort, "EVAL", "return 1", "0");
        await Assert.That(eval.Stdout.Trim()).IsEqualTo("ERR Lua scripting is unavailable: the Lua library (liblua54.so, expected beside the thunderdb binary) could not be loaded (DllNotFoundException)");
        await Assert.That((await ExternalTool.RedisCliAsync(server.RespPort, "SET", "k", "v")).Stdout.Trim()).IsEqualTo("OK");
    }

    private const string AddJob = """
        local id = redis.call('INCR', KEYS[1])
        redis.call('HSET', KEYS[2] .. id, 'data', ARGV[1], 'state', 'waiting')
        redis.call('LPUSH', KEYS[3], id)
        redis.call('ZADD', KEYS[4], ARGV[2], id)
        return id
        """;

    private const string TakeJob = """
        local id = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
        if not id then return false end
        redis.call('ZREM', KEYS[3], id)
        redis.call('HSET', KEYS[4] .. id, 'state', 'active')
        redis.call('HINCRBY', KEYS[4] .. id, 'attempts', 1)
        return id
        """;

    [Test]
    [Timeout(120_000)]
    public async Task A_job_queue_of_scripts_stays_consistent_under_8_clients_and_sigkill(CancellationToken ct)
    {
        const int Clients = 8;
        const int JobsPerClient = 40;
        using var dir = new TempDirectory();
        await using (var first = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct))
        {
            using var setup = await RespTestClient.ConnectAsync(first.RespPort, "setup", ct);
            string add = (await setup.CallAsync(["SCRIPT", "LOAD", AddJob], ct)).Text!;
            string take = (await setup.CallAsync(["SCRIPT", "LOAD", TakeJob], ct)).Text!;
            var workers = Enumerable.Range(0, Clients).Select(async w =>
            {
                using var client = await RespTestClient.ConnectAsync(first.RespPort, "worker" + w, ct);
                var taken = new List<string>();
                for (int j = 0; j < JobsPerClient; j++)
                {
                    var id = await client.CallAsync(["EVALSHA", add, "4", "q:id", "q:job:", "q:wait", "q:delayed", $"payload-{w}-{j}", j.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);
                    if (id.Kind != ':')
                    {
                        throw new InvalidOperationException("add: " + id);
                    }

                    var got = await client.CallAsync(["EVALSHA", take, "4", "q:wait", "q:active", "q:delayed", "q:job:"], ct);
                    if (got.Kind == '$' && got.Text is not null)
                    {
                        taken.Add(got.Text);
                    }
                }

                return taken;
            }).ToList();
            var all = (await Task.WhenAll(workers)).SelectMany(t => t).ToList();
            await Assert.That(all.Count).IsEqualTo(all.Distinct().Count()).Because("no job is taken twice");
            await first.KillAsync();
        }

        await using var second = await RunningServer.StartAsync(dir, syncCommit: true, ct: ct);
        int port = second.RespPort;
        int total = Clients * JobsPerClient;
        await Assert.That((await ExternalTool.RedisCliAsync(port, "GET", "q:id")).Stdout.Trim()).IsEqualTo(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        long wait = long.Parse((await ExternalTool.RedisCliAsync(port, "LLEN", "q:wait")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        long active = long.Parse((await ExternalTool.RedisCliAsync(port, "LLEN", "q:active")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        long delayed = long.Parse((await ExternalTool.RedisCliAsync(port, "ZCARD", "q:delayed")).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await Assert.That(wait + active).IsEqualTo(total);
        await Assert.That(delayed).IsEqualTo(wait);
        var activeIds = (await ExternalTool.RedisCliAsync(port, "LRANGE", "q:active", "0", "-1")).Lines;
        await Assert.That(activeIds.Distinct().Count()).IsEqualTo((int)active);
        foreach (string id in activeIds.Take(20))
        {
            var job = await ExternalTool.RedisCliAsync(port, "HMGET", "q:job:" + id, "state", "attempts");
            await Assert.That(job.Lines).IsEquivalentTo(["active", "1"], TUnit.Assertions.Enums.CollectionOrdering.Matching).Because(id);
        }
    }
}
