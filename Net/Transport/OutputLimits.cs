using System.Globalization;

namespace ThunderDb.Net.Transport;

/// <summary>
/// One client class's <c>client-output-buffer-limit</c>: a client whose unsent output reaches <see cref="HardBytes"/>
/// is closed at once; one that stays at or above <see cref="SoftBytes"/> for more than <see cref="SoftSeconds"/> is
/// closed too. Zero disables a limit, as in Redis.
/// </summary>
public sealed record OutputLimit(long HardBytes, long SoftBytes, int SoftSeconds)
{
    /// <summary>No limit but the transport's ceiling (<see cref="OutputBufferLimits.ReplyCeilingBytes"/>).</summary>
    public static OutputLimit Unlimited { get; } = new(0, 0, 0);

    /// <summary>
    /// Whether <paramref name="pending"/> unsent bytes break the limit at <paramref name="nowMs"/> (a
    /// <see cref="Environment.TickCount64"/>); <paramref name="softSinceMs"/> remembers when the soft limit was first
    /// reached (0 while below it).
    /// </summary>
    public bool IsBroken(long pending, ref long softSinceMs, long nowMs)
    {
        if (HardBytes > 0 && pending >= HardBytes)
        {
            return true;
        }

        if (SoftBytes > 0 && pending >= SoftBytes)
        {
            if (softSinceMs == 0)
            {
                softSinceMs = nowMs;
                return false;
            }

            return nowMs - softSinceMs > SoftSeconds * 1000L;
        }

        softSinceMs = 0;
        return false;
    }

    /// <summary>
    /// The largest a connection's reply buffer may grow under this limit: the hard limit, never past
    /// <see cref="OutputBufferLimits.ReplyCeilingBytes"/> (0 = unlimited would otherwise let one reply grow toward
    /// <see cref="Array.MaxLength"/> and fail the process instead of the client).
    /// </summary>
    public long BufferMaxBytes => HardBytes is > 0 and < OutputBufferLimits.ReplyCeilingBytes ? HardBytes : OutputBufferLimits.ReplyCeilingBytes;

    /// <summary>The limit in words for the log line that names the closed client.</summary>
    public string Describe(string className) => string.Create(CultureInfo.InvariantCulture,
        $"{className} hard {HardBytes} bytes, soft {SoftBytes} bytes for {SoftSeconds} s");
}

/// <summary>
/// The RESP output limits in effect for every connection (Redis defaults: normal unlimited, pubsub 32 MB hard and 8 MB
/// for 60 s soft). CONFIG SET replaces them at run time; sessions read them on the slow path only.
/// </summary>
public sealed class OutputBufferLimits
{
    /// <summary>
    /// No reply buffer grows past this, whatever the normal class allows (Redis's 0 = unlimited would otherwise
    /// let one reply grow toward <see cref="Array.MaxLength"/> and fail the process instead of the client).
    /// </summary>
    public const long ReplyCeilingBytes = 1L << 30;

    private OutputLimit _normal = new(0, 0, 0);
    private OutputLimit _replica = new(256L << 20, 64L << 20, 60);
    private OutputLimit _pubSub = new(32L << 20, 8L << 20, 60);

    public OutputLimit Normal => Volatile.Read(ref _normal);

    /// <summary>Kept and reported for the configuration's sake; there are no replica connections yet.</summary>
    public OutputLimit Replica => Volatile.Read(ref _replica);

    public OutputLimit PubSub => Volatile.Read(ref _pubSub);

    /// <summary>The largest a normal client's reply buffer may grow: its hard limit, never past <see cref="ReplyCeilingBytes"/>.</summary>
    public long NormalReplyMaxBytes => Normal.BufferMaxBytes;

    /// <summary>As CONFIG GET client-output-buffer-limit answers it in Redis.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"normal {Normal.HardBytes} {Normal.SoftBytes} {Normal.SoftSeconds} slave {Replica.HardBytes} {Replica.SoftBytes} {Replica.SoftSeconds} pubsub {PubSub.HardBytes} {PubSub.SoftBytes} {PubSub.SoftSeconds}");

    /// <summary>
    /// Applies a CONFIG SET value: groups of <c>class hard soft soft_seconds</c> (sizes may carry k/kb/m/mb/g/gb).
    /// All or nothing; on failure <paramref name="error"/> is Redis's reason.
    /// </summary>
    public bool TryApply(string value, out string? error)
    {
        string[] words = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length % 4 != 0)
        {
            error = "Wrong number of arguments in buffer limit configuration.";
            return false;
        }

        OutputLimit normal = Normal, replica = Replica, pubSub = PubSub;
        for (int i = 0; i < words.Length; i += 4)
        {
            if (!TryParseSize(words[i + 1], out long hard) || !TryParseSize(words[i + 2], out long soft) ||
                !int.TryParse(words[i + 3], NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
            {
                error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
                return false;
            }

            var limit = new OutputLimit(hard, soft, seconds);
            switch (words[i].ToLowerInvariant())
            {
                case "normal":
                    normal = limit;
                    break;
                case "slave" or "replica":
                    replica = limit;
                    break;
                case "pubsub":
                    pubSub = limit;
                    break;
                default:
                    error = "Invalid client class specified in buffer limit configuration.";
                    return false;
            }
        }

        Volatile.Write(ref _normal, normal);
        Volatile.Write(ref _replica, replica);
        Volatile.Write(ref _pubSub, pubSub);
        error = null;
        return true;
    }

    /// <summary>A byte count as Redis's memtoull reads it: digits and an optional b, k, kb, m, mb, g or gb.</summary>
    private static bool TryParseSize(string text, out long bytes)
    {
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        long unit = text[digits..].ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "k" => 1000,
            "kb" => 1024,
            "m" => 1000 * 1000,
            "mb" => 1024 * 1024,
            "g" => 1000L * 1000 * 1000,
            "gb" => 1024L * 1024 * 1024,
            _ => 0,
        };
        bytes = 0;
        if (digits == 0 || unit == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ||
            n > long.MaxValue / unit)
        {
            return false;
        }

        bytes = n * unit;
        return true;
    }
}

/// <summary>
/// A client's unsent output reached its limit (<see cref="OutputLimit"/>): the connection is closed, with one warning
/// naming the client (<see cref="Connection.CloseForOutputLimit"/>).
/// </summary>
public sealed class OutputLimitExceededException(string detail) : Exception(detail);
