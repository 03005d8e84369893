using System.Diagnostics;

namespace ThunderDb.Core.Redis;

/// <summary>
/// Redis's SLOWLOG: the newest <c>slowlog-max-len</c> commands that ran for at least <c>slowlog-log-slower-than</c>
/// microseconds (0 logs every command, -1 none), each with an id, its Unix time, its duration, its arguments as Redis
/// keeps them (<see cref="Shorten"/>), the client's address and name. One per server; SLOWLOG GET / LEN / RESET read it.
/// </summary>
public sealed class RedisSlowLog
{
    /// <summary>At most this many arguments are kept; the last kept slot then says how many more there were.</summary>
    public const int MaxArguments = 32;

    /// <summary>An argument is cut to this many bytes, followed by how many more there were.</summary>
    public const int MaxArgumentBytes = 128;

    public readonly record struct Entry(long Id, long UnixSeconds, long Microseconds, byte[][] Arguments, string Client, string Name);

    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _entries = new();
    private long _nextId;
    private int _maxLength = 128;

    /// <summary>The threshold in <see cref="Stopwatch"/> ticks; <see cref="long.MaxValue"/> while off.</summary>
    private long _thresholdTicks = 10_000 * Stopwatch.Frequency / 1_000_000;

    /// <summary>CONFIG SET slowlog-log-slower-than / slowlog-max-len; a shorter log drops its oldest entries.</summary>
    public void Configure(long slowerThanMicroseconds, long maxLength)
    {
        long ticks = slowerThanMicroseconds < 0 ? long.MaxValue
            : slowerThanMicroseconds >= long.MaxValue / Stopwatch.Frequency ? long.MaxValue - 1
            : slowerThanMicroseconds * Stopwatch.Frequency / 1_000_000;
        Volatile.Write(ref _thresholdTicks, ticks);
        lock (_lock)
        {
            _maxLength = (int)Math.Min(maxLength, int.MaxValue);
            Trim();
        }
    }

    /// <summary>Whether a command that took <paramref name="elapsedTicks"/> (<see cref="Stopwatch"/> ticks) goes into the log.</summary>
    public bool IsSlow(long elapsedTicks) => elapsedTicks >= Volatile.Read(ref _thresholdTicks);

    public void Add(long elapsedTicks, byte[][] arguments, string client, string? name)
    {
        long micros = elapsedTicks * 1_000_000 / Stopwatch.Frequency;
        lock (_lock)
        {
            _entries.AddFirst(new Entry(_nextId++, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), micros, arguments, client, name ?? ""));
            Trim();
        }
    }

    /// <summary>SLOWLOG GET: the newest <paramref name="count"/> entries (all of them for -1), newest first.</summary>
    public Entry[] Newest(long count)
    {
        lock (_lock)
        {
            return [.. _entries.Take(count < 0 ? int.MaxValue : (int)Math.Min(count, int.MaxValue))];
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    /// <summary>
    /// A command's arguments as Redis's slow log keeps them: at most <see cref="MaxArguments"/>, the last kept one replaced
    /// by "... (N more arguments)" when there were more, each cut at <see cref="MaxArgumentBytes"/> with "... (N more bytes)".
    /// </summary>
    public static byte[][] Shorten(int count, Func<int, ReadOnlySpan<byte>> argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        int kept = Math.Min(count, MaxArguments);
        var result = new byte[kept][];
        for (int i = 0; i < kept; i++)
        {
            if (kept != count && i == kept - 1)
            {
                result[i] = System.Text.Encoding.ASCII.GetBytes($"... ({count - kept + 1} more arguments)");
                break;
            }

            ReadOnlySpan<byte> arg = argument(i);
            result[i] = arg.Length <= MaxArgumentBytes
                ? arg.ToArray()
                : [.. arg[..MaxArgumentBytes], .. System.Text.Encoding.ASCII.GetBytes($"... ({arg.Length - MaxArgumentBytes} more bytes)")];
        }

        return result;
    }

    private void Trim()
    {
        while (_entries.Count > _maxLength)
        {
            _entries.RemoveLast();
        }
    }
}
