using System.Collections.Concurrent;
using System.Net;

namespace ThunderDb.Net.Security;

/// <summary>
/// Slows down repeated failed logins per remote address and per connection: after n recent failures the next
/// attempt waits <see cref="DelayFor"/> (50 ms doubling, at most 2 s) before its password is checked, and an
/// address verifies at most one password per core at a time, so a burst from one address cannot fill the
/// verifier's queue in front of other addresses (it only slows itself down).
/// Failures are forgotten a minute after the last one, or at a success.
/// </summary>
public sealed class LoginThrottle
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    private const long ForgetAfterMs = 60_000;
    private const int MaxTrackedAddresses = 10_000;
    private static readonly IPAddress Unknown = IPAddress.None;
    private static readonly int ChecksPerAddress = Math.Max(1, Environment.ProcessorCount);

    private readonly ConcurrentDictionary<IPAddress, AddressState> _addresses = new();

    /// <summary>The wait before a login attempt after <paramref name="failures"/> failed ones: 0, 50 ms, 100 ms, ... 2 s.</summary>
    public static TimeSpan Delay(int failures)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        int doublings = Math.Min(failures - 1, 16);
        return TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks << doublings, MaxDelay.Ticks));
    }

    /// <summary>The wait for the next attempt from <paramref name="from"/> on a connection that already failed <paramref name="connectionFailures"/> times.</summary>
    public TimeSpan DelayFor(IPAddress? from, int connectionFailures)
    {
        int failures = connectionFailures;
        if (_addresses.TryGetValue(Normalize(from), out AddressState? state))
        {
            failures = Math.Max(failures, state.RecentFailures(Environment.TickCount64));
        }

        return Delay(failures);
    }

    /// <summary>Failures counted for <paramref name="from"/> now (0 once forgotten).</summary>
    public int FailuresOf(IPAddress? from) =>
        _addresses.TryGetValue(Normalize(from), out AddressState? state) ? state.RecentFailures(Environment.TickCount64) : 0;

    /// <summary>The gate that lets at most one password check per core run for <paramref name="from"/> at a time.</summary>
    internal SemaphoreSlim GateFor(IPAddress? from) => StateOf(from).Gate;

    public void Failed(IPAddress? from) => StateOf(from).Fail(Environment.TickCount64);

    public void Succeeded(IPAddress? from)
    {
        if (_addresses.TryGetValue(Normalize(from), out AddressState? state))
        {
            state.Reset();
        }
    }

    private AddressState StateOf(IPAddress? from)
    {
        IPAddress key = Normalize(from);
        if (_addresses.TryGetValue(key, out AddressState? state))
        {
            return state;
        }

        if (_addresses.Count >= MaxTrackedAddresses)
        {
            Prune();
        }

        return _addresses.GetOrAdd(key, static _ => new AddressState());
    }

    /// <summary>Drops addresses with nothing to remember, so scanning from many addresses does not grow the table without bound.</summary>
    private void Prune()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<IPAddress, AddressState> entry in _addresses)
        {
            if (entry.Value.RecentFailures(now) == 0 && entry.Value.Gate.CurrentCount == ChecksPerAddress)
            {
                _addresses.TryRemove(entry);
            }
        }
    }

    private static IPAddress Normalize(IPAddress? address) =>
        address is null ? Unknown : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class AddressState
    {
        private readonly Lock _lock = new();
        private int _failures;
        private long _lastFailureMs;

        public SemaphoreSlim Gate { get; } = new(ChecksPerAddress, ChecksPerAddress);

        public int RecentFailures(long nowMs)
        {
            lock (_lock)
            {
                return _failures > 0 && nowMs - _lastFailureMs < ForgetAfterMs ? _failures : 0;
            }
        }

        public void Fail(long nowMs)
        {
            lock (_lock)
            {
                _failures = nowMs - _lastFailureMs < ForgetAfterMs ? _failures + 1 : 1;
                _lastFailureMs = nowMs;
            }
        }

        public void Reset()
        {
            lock (_lock)
            {
                _failures = 0;
            }
        }
    }
}
