namespace ThunderDb.Host.Lifecycle;

/// <summary>
/// How socket completions are delivered. By default ThunderDB runs the code that follows a completed receive
/// (parse, execute, reply) on the socket engine's epoll thread that saw the data, like an event loop, instead of
/// queueing it to the thread pool: measured on 2 cores with redis-benchmark, that removes a thread hand-off and
/// most context switches per request (server CPU per GET at -P 1 about 30% lower; docs/perf.md).
/// </summary>
/// <remarks>
/// The .NET socket engine reads <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> once, when the first socket is
/// used, so <see cref="Configure"/> runs first thing in <c>Main</c>. An operator who sets the variable (to 0 to
/// get thread-pool completions back) wins. Work that may wait does not stay on the loop: commits that
/// wait for fsync continue on the thread pool, and a write that would queue behind a running checkpoint hops
/// to the thread pool first (RespSession).
/// </remarks>
public static class SocketEventLoop
{
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>True when completions run inline (the default); false when the operator turned it off.</summary>
    public static bool Configure()
    {
        string? value = Environment.GetEnvironmentVariable(InlineCompletionsVariable);
        if (value is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            return true;
        }

        return value == "1";
    }
}
