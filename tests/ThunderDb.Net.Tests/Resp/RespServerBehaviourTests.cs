using ThunderDb.Net.Tests.Support;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>MULTI/EXEC/WATCH, blocking pops, RESP3 pushes, concurrency and restart over the same store.</summary>
public class RespServerBehaviourTests
{
    [Test]
    public async Task Multi_exec_runs_queued_commands_as_one_commit()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        await Assert.That(await c.CallAsync("MULTI")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("SET", "a", "1")).IsEqualTo("+QUEUED\r\n");
        await Assert.That(await c.CallAsync("INCR", "a")).IsEqualTo("+QUEUED\r\n");
        await Assert.That(await c.CallAsync("LPUSH", "a", "x")).IsEqualTo("+QUEUED\r\n");
        await Assert.That(await c.CallAsync("GET", "a")).IsEqualTo("+QUEUED\r\n");
        int commitsBefore = server.Database.CommitCount;
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("*4\r\n+OK\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\n2\r\n");
        await Assert.That(server.Database.CommitCount - commitsBefore).IsEqualTo(1);
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("-ERR EXEC without MULTI\r\n");
        await c.CallAsync("MULTI");
        await Assert.That(await c.CallAsync("GET")).IsEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("-EXECABORT Transaction discarded because of previous errors.\r\n");
        await c.CallAsync("MULTI");
        await c.CallAsync("SET", "a", "9");
        await Assert.That(await c.CallAsync("DISCARD")).IsEqualTo("+OK\r\n");
        await Assert.That(await c.CallAsync("GET", "a")).IsEqualTo("$1\r\n2\r\n");
    }

    [Test]
    public async Task Watch_aborts_exec_when_another_client_wrote_the_key()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient a = await server.ConnectAsync();
        using RawClient b = await server.ConnectAsync();
        await a.CallAsync("SET", "k", "1");
        await Assert.That(await a.CallAsync("WATCH", "k")).IsEqualTo("+OK\r\n");
        await b.CallAsync("SET", "k", "2");
        await a.CallAsync("MULTI");
        await a.CallAsync("SET", "k", "3");
        await Assert.That(await a.CallAsync("EXEC")).IsEqualTo("*-1\r\n");
        await Assert.That(await a.CallAsync("GET", "k")).IsEqualTo("$1\r\n2\r\n");
        await a.CallAsync("WATCH", "k");
        await a.CallAsync("MULTI");
        await a.CallAsync("SET", "k", "3");
        await Assert.That(await a.CallAsync("EXEC")).IsEqualTo("*1\r\n+OK\r\n");
    }

    [Test]
    public async Task Blocking_pops_wait_for_a_push_or_time_out()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient waiter = await server.ConnectAsync();
        using RawClient pusher = await server.ConnectAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.That(await waiter.CallAsync("BLPOP", "q", "0.2")).IsEqualTo("*-1\r\n");
        await Assert.That(started.ElapsedMilliseconds).IsGreaterThanOrEqualTo(150);

        await waiter.SendAsync(RawClient.Command("BRPOP", "q1", "q2", "5"));
        await Task.Delay(100);
        await Assert.That(await pusher.CallAsync("RPUSH", "q2", "a", "b")).IsEqualTo(":2\r\n");
        await Assert.That(await waiter.ReadFrameAsync(3000)).IsEqualTo("*2\r\n$2\r\nq2\r\n$1\r\nb\r\n");

        await waiter.SendAsync(RawClient.Command("BLMOVE", "src", "dst", "LEFT", "RIGHT", "5"));
        await Task.Delay(100);
        await pusher.CallAsync("LPUSH", "src", "v");
        await Assert.That(await waiter.ReadFrameAsync(3000)).IsEqualTo("$1\r\nv\r\n");
        await Assert.That(await pusher.CallAsync("LRANGE", "dst", "0", "-1")).IsEqualTo("*1\r\n$1\r\nv\r\n");
        await Assert.That(await waiter.CallAsync("BLPOP", "q", "-1")).IsEqualTo("-ERR timeout is negative\r\n");
    }

    [Test]
    public async Task Resp3_subscribers_get_push_frames()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient sub = await server.ConnectAsync();
        using RawClient pub = await server.ConnectAsync();
        await sub.CallAsync("HELLO", "3");
        await Assert.That(await sub.CallAsync("SUBSCRIBE", "ch")).IsEqualTo(">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
        await Assert.That(await sub.CallAsync("GET", "x")).IsEqualTo("_\r\n"); // RESP3 allows commands while subscribed
        await Assert.That(await pub.CallAsync("PUBLISH", "ch", "hi")).IsEqualTo(":1\r\n");
        await Assert.That(await sub.ReadFrameAsync()).IsEqualTo(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
        await Assert.That(await pub.CallAsync("PUBSUB", "NUMSUB", "ch")).IsEqualTo("*2\r\n$2\r\nch\r\n:1\r\n");
        await Assert.That(await pub.CallAsync("PUBSUB", "CHANNELS")).IsEqualTo("*1\r\n$2\r\nch\r\n");
        await Assert.That(await sub.CallAsync("UNSUBSCRIBE")).IsEqualTo(">3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n");
        using RawClient resp2 = await server.ConnectAsync();
        await resp2.CallAsync("SUBSCRIBE", "a");
        await Assert.That(await resp2.CallAsync("GET", "x")).IsEqualTo("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
        await Assert.That(await resp2.CallAsync("PING")).IsEqualTo("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    }

    [Test]
    public async Task Replies_to_writes_wait_for_the_commit_and_keep_pipeline_order()
    {
        var store = new InMemoryKvDatabase { CommitDelay = TimeSpan.FromMilliseconds(150) };
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await c.SendAsync(RawClient.Command("SET", "a", "1") + RawClient.Command("GET", "a") + RawClient.Command("INCR", "a") +
                          RawClient.Command("GET", "a"));
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        await Assert.That(clock.ElapsedMilliseconds).IsGreaterThanOrEqualTo(140);
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("$1\r\n1\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":2\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("$1\r\n2\r\n");
        await Assert.That(store.CommitCount).IsEqualTo(1); // one pipeline group, one commit
        clock.Restart();
        await c.SendAsync(RawClient.Command("INCR", "a") + RawClient.Command("PING") + RawClient.Command("INCR", "a"));
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":3\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+PONG\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":4\r\n");
        await Assert.That(clock.ElapsedMilliseconds).IsGreaterThanOrEqualTo(290); // PING ends the group: two commits
        await Assert.That(store.CommitCount).IsEqualTo(3);
        await c.CallAsync("SET", "a", "2");
        await c.CallAsync("MULTI");
        await c.CallAsync("INCR", "a");
        await Assert.That(await c.CallAsync("EXEC")).IsEqualTo("*1\r\n:3\r\n");
    }

    [Test]
    public async Task Stop_reports_a_connection_stuck_inside_a_command_instead_of_waiting_forever()
    {
        using var gate = new ManualResetEventSlim(false);
        var store = new InMemoryKvDatabase();
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("SET", "k", "v");
        store.ReadGate = gate;
        await c.SendAsync(RawClient.Command("GET", "k"));
        // wait until the GET is really inside the store, not just received (under load the kill could otherwise win)
        await WaitUntil(() => Volatile.Read(ref store.ReadsAtGate) == 1);
        await Assert.That(server.Server.InFlightBatches).IsEqualTo(1);
        Task<bool> stop = server.Server.StopAsync(TimeSpan.FromMilliseconds(300));
        bool finished = await Task.WhenAny(stop, Task.Delay(TimeSpan.FromSeconds(20))) == stop;
        await Assert.That(finished).IsTrue(); // it gave up waiting instead of hanging
        await Assert.That(await stop).IsFalse(); // and said a connection is stuck
        gate.Set(); // the command finishes; its connection was killed, so the loop ends
        await WaitUntil(() => server.Server.InFlightBatches == 0);
        await Assert.That(server.Server.InFlightBatches).IsEqualTo(0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
    }

    [Test]
    public async Task A_pipeline_group_that_fails_to_commit_runs_again_command_by_command_and_applies_each_once()
    {
        var store = new InMemoryKvDatabase();
        await using RespTestServer server = RespTestServer.Start(database: store);
        using RawClient c = await server.ConnectAsync();
        await c.CallAsync("RPUSH", "l", "x");
        store.FailNextCommits = 1;
        await c.SendAsync(RawClient.Command("INCR", "n") + RawClient.Command("INCR", "n") + RawClient.Command("LPUSH", "n", "v") +
                          RawClient.Command("RPUSH", "l", "y") + RawClient.Command("INCR", "n") + RawClient.Command("GET", "n"));
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":1\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":2\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":2\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo(":3\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("$1\r\n3\r\n");
        await Assert.That(store.FailNextCommits).IsEqualTo(0);
        await Assert.That(await c.CallAsync("LRANGE", "l", "0", "-1")).IsEqualTo("*2\r\n$1\r\nx\r\n$1\r\ny\r\n");

        // A WRONGTYPE inside a group is that command's reply; the group's other writes commit together.
        int before = store.CommitCount;
        await c.SendAsync(RawClient.Command("SET", "s", "1") + RawClient.Command("LPUSH", "s", "z") + RawClient.Command("SET", "t", "2"));
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
        await Assert.That(await c.ReadFrameAsync()).IsEqualTo("+OK\r\n");
        await Assert.That(store.CommitCount).IsEqualTo(before + 1);
        await Assert.That(await c.CallAsync("MGET", "s", "t")).IsEqualTo("*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
        await Assert.That(await c.CallAsync("INFO", "stats")).Contains("total_commands_processed:");
    }

    [Test]
    [Arguments(false)]
    [Arguments(true)]
    public async Task Pipelines_of_writes_to_one_key_from_several_clients_interleave_with_exec_without_deadlock(bool visibleAtApply)
    {
        // A session keeps its write stripe across consecutive same-key commands of one batch; it must let go
        // before EXEC (which takes the keys of another command set) and at the end of the batch. When commits are
        // visible at apply, groups take no stripes: concurrent groups on one key conflict and are replayed, and no
        // update may be lost or applied twice.
        await using RespTestServer server = RespTestServer.Start(database: new InMemoryKvDatabase { CommitsVisibleAtApply = visibleAtApply });
        var clients = new RawClient[visibleAtApply ? 8 : 3];
        for (int i = 0; i < clients.Length; i++)
        {
            clients[i] = await server.ConnectAsync();
        }

        try
        {
            var pipeline = new System.Text.StringBuilder();
            for (int i = 0; i < 100; i++)
            {
                pipeline.Append(RawClient.Command("LPUSH", "q", "x"));
            }

            pipeline.Append(RawClient.Command("MULTI")).Append(RawClient.Command("INCR", "n")).Append(RawClient.Command("LPUSH", "q", "y"))
                .Append(RawClient.Command("EXEC")).Append(RawClient.Command("INCR", "n"));
            for (int i = 0; i < 100; i++)
            {
                pipeline.Append(RawClient.Command("RPUSH", "q", "z"));
            }

            string text = pipeline.ToString();
            await Task.WhenAll(clients.Select(c => c.SendAsync(text)));
            foreach (RawClient c in clients)
            {
                for (int i = 0; i < 100 + 5 + 100; i++)
                {
                    string frame = await c.ReadFrameAsync();
                    await Assert.That(frame[0] is ':' or '+' or '*').IsTrue();
                }
            }

            using RawClient check = await server.ConnectAsync();
            await Assert.That(await check.CallAsync("LLEN", "q")).IsEqualTo($":{clients.Length * 201}\r\n");
            await Assert.That(await check.CallAsync("GET", "n")).IsEqualTo($"${(clients.Length * 2).ToString(System.Globalization.CultureInfo.InvariantCulture).Length}\r\n{clients.Length * 2}\r\n");
        }
        finally
        {
            foreach (RawClient c in clients)
            {
                c.Dispose();
            }
        }
    }

    [Test]
    public async Task Query_metrics_count_commands_and_failures()
    {
        await using RespTestServer server = RespTestServer.Start();
        using RawClient c = await server.ConnectAsync();
        double total = ThunderDb.Core.Diagnostics.ThunderMetrics.QueriesTotal.Value;
        double failed = ThunderDb.Core.Diagnostics.ThunderMetrics.QueriesFailedTotal.Value;
        await c.CallAsync("SET", "m", "x");
        await c.CallAsync("INCR", "m");
        await Assert.That(ThunderDb.Core.Diagnostics.ThunderMetrics.QueriesTotal.Value - total).IsGreaterThanOrEqualTo(2);
        await Assert.That(ThunderDb.Core.Diagnostics.ThunderMetrics.QueriesFailedTotal.Value - failed).IsGreaterThanOrEqualTo(1);
        await Assert.That(ThunderDb.Core.Diagnostics.ThunderMetrics.ActiveConnections.Value).IsGreaterThanOrEqualTo(1);
    }

    [Test]
    public async Task Concurrent_increments_on_one_key_are_all_applied()
    {
        await using RespTestServer server = RespTestServer.Start();
        var tasks = new List<Task>();
        for (int client = 0; client < 8; client++)
        {
            tasks.Add(Task.Run(async () =>
            {
                using RawClient c = await server.ConnectAsync();
                for (int i = 0; i < 50; i++)
                {
                    string reply = await c.CallAsync("INCR", "hot");
                    if (!reply.StartsWith(':'))
                    {
                        throw new InvalidOperationException(reply);
                    }
                }
            }));
        }

        await Task.WhenAll(tasks);
        using RawClient check = await server.ConnectAsync();
        await Assert.That(await check.CallAsync("GET", "hot")).IsEqualTo("$3\r\n400\r\n");
    }

    [Test]
    public async Task Data_and_ttls_survive_a_server_restart_over_the_same_store()
    {
        var store = new InMemoryKvDatabase();
        await using (RespTestServer first = RespTestServer.Start(database: store))
        {
            using RawClient c = await first.ConnectAsync();
            await c.CallAsync("SET", "kept", "v", "EX", "1000");
            await c.CallAsync("SET", "gone", "v", "PX", "100");
            await c.CallAsync("ZADD", "z", "1", "m");
        }

        await Task.Delay(200);
        await using RespTestServer second = RespTestServer.Start(database: store);
        using RawClient d = await second.ConnectAsync();
        await Assert.That(await d.CallAsync("GET", "kept")).IsEqualTo("$1\r\nv\r\n");
        string ttl = await d.CallAsync("TTL", "kept");
        await Assert.That(ttl is ":1000\r\n" or ":999\r\n").IsTrue();
        await Assert.That(await d.CallAsync("GET", "gone")).IsEqualTo("$-1\r\n");
        await Assert.That(await d.CallAsync("ZSCORE", "z", "m")).IsEqualTo("$1\r\n1\r\n");
    }
}
