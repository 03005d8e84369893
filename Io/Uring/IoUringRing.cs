using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ThunderDb.Io.Native;
using static ThunderDb.Io.Native.IoUringNative;

namespace ThunderDb.Io.Uring;

/// <summary>
/// One io_uring instance: a submission queue shared by every caller under a short lock, and one
/// ring thread that reaps completions and hands each to the operation named by its user_data (a
/// slot index). Up to <see cref="MaxInFlight"/> operations are in flight at once; callers beyond
/// that wait for a slot, so the completion queue never overflows.
/// </summary>
/// <remarks>
/// Single-issuer mode (Linux 6.1+, the default): callers only write SQEs; the ring thread is the
/// only task that calls io_uring_enter, submitting every waiting SQE in one call and waiting for
/// completions in the same call (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN). A caller wakes it
/// through an eventfd doorbell only when it is asleep. Why: the kernel finishes a request with
/// task_work on the task that submitted it. With many submitting threads each O_DIRECT write woke
/// the thread-pool thread that had submitted it (a signal-style kick) just so it could post the
/// CQE, and only then the reaper: about 12 context switches per write system-wide against 1 for a
/// blocked pwrite, part of why QD 32 writes were 2.5-6x slower than posix on 2 CPUs (docs/perf.md "## Io").
/// With one issuer, that work runs on the ring thread while it is already waiting for events.
/// Older kernels get the legacy mode: callers submit with their own io_uring_enter.
/// </remarks>
internal sealed unsafe partial class IoUringRing : IDisposable
{
    private const ulong ShutdownToken = ulong.MaxValue;
    private const ulong DoorbellToken = ulong.MaxValue - 1;

    private readonly int _ringFd;
    private readonly byte* _sqRing;
    private readonly nuint _sqRingSize;
    private readonly byte* _cqRing; // equal to _sqRing with IORING_FEAT_SINGLE_MMAP
    private readonly nuint _cqRingSize;
    private readonly Sqe* _sqes;
    private readonly nuint _sqesSize;

    private readonly uint* _sqHead;
    private readonly uint* _sqTail;
    private readonly uint _sqMask;
    private readonly uint _sqEntries;
    private readonly uint* _cqHead;
    private readonly uint* _cqTail;
    private readonly uint _cqMask;
    private readonly Cqe* _cqes;

    private readonly Lock _submitLock = new();
    private readonly UringOperation[] _operations;
    private readonly CompletionDispatcher[] _dispatchers;
    private readonly int[] _freeSlots;
    private int _freeCount;
    private readonly SemaphoreSlim _slots;
    private int _inFlight;
    private uint _unsubmitted; // SQEs published to the ring but not yet accepted by io_uring_enter
    private bool _disposed;
    private readonly Thread _completionThread;

    // Single-issuer mode only: the eventfd callers write to wake the ring thread, the 8 bytes its
    // pending read of that eventfd lands in, and 1 while the ring thread may be asleep in the kernel.
    private readonly int _doorbellFd = -1;
    private readonly ulong* _doorbellValue;
    private int _ringThreadMaySleep;
    private readonly ManualResetEventSlim? _started;
    private int _startErrno;

    private IoUringRing(int ringFd, in Params p, bool singleIssuer)
    {
        _ringFd = ringFd;
        SingleIssuer = singleIssuer;
        Features = p.Features;
        _sqEntries = p.SqEntries;
        CqEntries = p.CqEntries;

        _sqRingSize = p.SqOff.Array + (p.SqEntries * sizeof(uint));
        _cqRingSize = p.CqOff.Cqes + (p.CqEntries * (uint)sizeof(Cqe));
        var single = (p.Features & FeatSingleMmap) != 0;
        if (single)
        {
            _sqRingSize = _cqRingSize = Math.Max(_sqRingSize, _cqRingSize);
        }

        _sqRing = MapOrThrow(_sqRingSize, OffSqRing);
        try
        {
            _cqRing = single ? _sqRing : MapOrThrow(_cqRingSize, OffCqRing);
            _sqesSize = p.SqEntries * (nuint)sizeof(Sqe);
            try
            {
                _sqes = (Sqe*)MapOrThrow(_sqesSize, OffSqes);
            }
            catch
            {
                if (!single)
                {
                    _ = Munmap(_cqRing, _cqRingSize);
                }

                throw;
            }
        }
        catch
        {
            _ = Munmap(_sqRing, _sqRingSize);
            throw;
        }

        _sqHead = (uint*)(_sqRing + p.SqOff.Head);
        _sqTail = (uint*)(_sqRing + p.SqOff.Tail);
        _sqMask = *(uint*)(_sqRing + p.SqOff.RingMask);
        var sqArray = (uint*)(_sqRing + p.SqOff.Array);
        for (uint i = 0; i < _sqEntries; i++)
        {
            sqArray[i] = i; // SQE slot i is always published through array slot i
        }

        _cqHead = (uint*)(_cqRing + p.CqOff.Head);
        _cqTail = (uint*)(_cqRing + p.CqOff.Tail);
        _cqMask = *(uint*)(_cqRing + p.CqOff.RingMask);
        _cqes = (Cqe*)(_cqRing + p.CqOff.Cqes);

        // At most CqEntries completions can be outstanding, so the CQ can never overflow.
        MaxInFlight = (int)p.CqEntries;
        _operations = new UringOperation[MaxInFlight];
        _freeSlots = new int[MaxInFlight];
        for (var i = 0; i < MaxInFlight; i++)
        {
            _operations[i] = new UringOperation(this, i);
            _freeSlots[i] = MaxInFlight - 1 - i;
        }

        _freeCount = MaxInFlight;
        _dispatchers = new CompletionDispatcher[Math.Clamp(Environment.ProcessorCount, 1, 16)];
        for (var i = 0; i < _dispatchers.Length; i++)
        {
            _dispatchers[i] = new CompletionDispatcher();
        }
        _slots = new SemaphoreSlim(MaxInFlight, MaxInFlight);

        if (singleIssuer)
        {
            _doorbellFd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
            if (_doorbellFd < 0)
            {
                var errno = Marshal.GetLastSystemError();
                UnmapRings();
                throw new IoException("eventfd", "io_uring", 0, 0, errno);
            }

            _doorbellValue = (ulong*)NativeMemory.AlignedAlloc(sizeof(ulong), sizeof(ulong));
            _started = new ManualResetEventSlim(false);
        }

        _completionThread = new Thread(singleIssuer ? RingThreadLoop : CompletionLoop)
        {
            IsBackground = true,
            Name = "io_uring completions",
        };
        _completionThread.Start();
        if (_started is not null)
        {
            // The ring was created disabled; only the thread that enables it may submit.
            _started.Wait();
            if (_startErrno != 0)
            {
                _completionThread.Join();
                UnmapRings();
                _ = Libc.Close(_doorbellFd);
                NativeMemory.AlignedFree(_doorbellValue);
                throw new IoException("io_uring_register(ENABLE_RINGS)", "io_uring", 0, 0, _startErrno);
            }
        }
    }

    /// <summary>True when only the ring thread calls io_uring_enter (IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN).</summary>
    public bool SingleIssuer { get; }

    private void UnmapRings()
    {
        if (_cqRing != _sqRing)
        {
            _ = Munmap(_cqRing, _cqRingSize);
        }

        _ = Munmap(_sqRing, _sqRingSize);
        _ = Munmap(_sqes, _sqesSize);
    }

    /// <summary>IORING_FEAT_* bits the kernel reported.</summary>
    public uint Features { get; }

    public uint SubmissionEntries => _sqEntries;

    public uint CqEntries { get; }

    /// <summary>The most operations that were in flight at once (shows that queue depth is real).</summary>
    public int PeakInFlight { get; private set; }

    /// <summary>Operations that may be in flight at once.</summary>
    public int MaxInFlight { get; }

    /// <summary>
    /// Creates a ring with <paramref name="entries"/> submission entries. Returns false with the
    /// errno when the kernel refuses (ENOSYS, EPERM from seccomp or io_uring_disabled, EACCES,
    /// ENOMEM from RLIMIT_MEMLOCK on old kernels) or lacks the read/write/fsync ops.
    /// </summary>
    public static bool TryCreate(uint entries, [NotNullWhen(true)] out IoUringRing? ring, out int errno, out string failure) =>
        TryCreate(entries, preferSingleIssuer: true, out ring, out errno, out failure);

    /// <summary>As above; <paramref name="preferSingleIssuer"/> false forces the legacy mode (callers submit).</summary>
    internal static bool TryCreate(uint entries, bool preferSingleIssuer, [NotNullWhen(true)] out IoUringRing? ring, out int errno, out string failure)
    {
        if (preferSingleIssuer && TryCreate(entries, SetupSingleIssuer | SetupDeferTaskrun | SetupRDisabled, out ring, out errno, out failure))
        {
            return true;
        }

        // Kernels before 6.1 answer EINVAL to the flags; anything else fails the same way without them.
        return TryCreate(entries, 0, out ring, out errno, out failure);
    }

    private static bool TryCreate(uint entries, uint setupFlags, [NotNullWhen(true)] out IoUringRing? ring, out int errno, out string failure)
    {
        ring = null;
        Params p = default;
        p.Flags = setupFlags;
        var fd = Setup(entries, &p);
        if (fd < 0)
        {
            errno = Marshal.GetLastSystemError();
            failure = "io_uring_setup";
            return false;
        }

        if (!SupportsRequiredOps(fd, out errno))
        {
            _ = Libc.Close(fd);
            failure = "io_uring_register(PROBE): the kernel lacks IORING_OP_READ/WRITE/FSYNC (Linux 5.6 or newer is needed)";
            return false;
        }

        try
        {
            ring = new IoUringRing(fd, p, (setupFlags & SetupSingleIssuer) != 0);
        }
        catch (IoException e)
        {
            _ = Libc.Close(fd);
            errno = e.Errno;
            failure = e.Operation == "io" ? e.Message : e.Operation;
            return false;
        }

        errno = 0;
        failure = string.Empty;
        return true;
    }

    private static bool SupportsRequiredOps(int ringFd, out int errno)
    {
        const int opCount = 256;
        var size = sizeof(ProbeHeader) + (opCount * sizeof(ProbeOp));
        var buffer = stackalloc byte[size];
        new Span<byte>(buffer, size).Clear();
        if (Register(ringFd, RegisterProbe, buffer, opCount) < 0)
        {
            errno = Marshal.GetLastSystemError();
            return false;
        }

        var header = (ProbeHeader*)buffer;
        var ops = (ProbeOp*)(buffer + sizeof(ProbeHeader));
        errno = Libc.EINVAL;
        foreach (var op in (ReadOnlySpan<byte>)[OpRead, OpWrite, OpFsync, OpNop])
        {
            if (op > header->LastOp || op >= header->OpsLen || (ops[op].Flags & ProbeOpSupported) == 0)
            {
                return false;
            }
        }

        errno = 0;
        return true;
    }

    private byte* MapOrThrow(nuint size, long offset)
    {
        var p = Mmap(null, size, ProtRead | ProtWrite, MapShared | MapPopulate, _ringFd, offset);
        if ((nint)p == MapFailed)
        {
            throw new IoException("mmap", "io_uring", offset, (long)size, Marshal.GetLastSystemError());
        }

        return (byte*)p;
    }

    private UringOperation Submit(byte opcode, int fd, nint address, uint length, long offset, uint opFlags)
    {
        var spins = 0;
        while (true)
        {
            lock (_submitLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (!SingleIssuer || HasSqSpaceLocked())
                {
                    var op = _operations[_freeSlots[--_freeCount]];

                    // Counted before the kernel sees it: the completion thread may reap it before enter returns.
                    var inFlight = Interlocked.Increment(ref _inFlight);
                    PeakInFlight = Math.Max(PeakInFlight, inFlight);
                    try
                    {
                        PushLocked(opcode, fd, (ulong)address, length, (ulong)offset, opFlags, (ulong)op.Slot);
                    }
                    catch
                    {
                        Interlocked.Decrement(ref _inFlight);
                        _freeSlots[_freeCount++] = op.Slot;
                        throw;
                    }

                    if (SingleIssuer)
                    {
                        WakeRingThreadIfAsleep();
                    }

                    return op;
                }
            }

            // Rare: the SQ is full of entries the ring thread has not submitted yet (the CQ holds
            // twice as many operations as the SQ). Wake it and retry outside the lock.
            WakeRingThread();
            if (++spins % 16 == 0)
            {
                Thread.Sleep(0);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private bool HasSqSpaceLocked() => *_sqTail - Volatile.Read(ref *_sqHead) < _sqEntries;

    private void PushLocked(byte opcode, int fd, ulong address, uint length, ulong offset, uint opFlags, ulong userData)
    {
        var tail = *_sqTail; // only this thread (under the lock) writes the tail
        if (tail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            // The kernel consumes SQEs inside io_uring_enter, so a full SQ means earlier SQEs were not
            // accepted yet. Single-issuer mode reaches this only on the ring thread.
            if (SingleIssuer)
            {
                SubmitOnRingThread();
            }
            else
            {
                EnterSubmitLocked();
            }
        }

        var sqe = &_sqes[tail & _sqMask];
        *sqe = default;
        sqe->Opcode = opcode;
        sqe->Fd = fd;
        sqe->Addr = address;
        sqe->Len = length;
        sqe->Off = offset;
        sqe->OpFlags = opFlags;
        sqe->UserData = userData;

        // Release: the SQE contents must be visible before the kernel sees the new tail.
        Volatile.Write(ref *_sqTail, tail + 1);
        if (!SingleIssuer)
        {
            _unsubmitted++;
            EnterSubmitLocked();
        }
    }

    /// <summary>Single-issuer mode, ring thread only: hands the kernel every published SQE until the SQ has room.</summary>
    private void SubmitOnRingThread()
    {
        var spins = 0;
        while (*_sqTail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            var n = Enter(_ringFd, *_sqTail - Volatile.Read(ref *_sqHead), 0, 0);
            if (n > 0)
            {
                continue;
            }

            var errno = n == 0 ? Libc.EAGAIN : Marshal.GetLastSystemError();
            if (errno is Libc.EINTR or Libc.EAGAIN or Libc.EBUSY && ++spins < 1_000_000)
            {
                Thread.Yield();
                continue;
            }

            throw new IoException("io_uring_enter", "io_uring", 0, _sqEntries, errno);
        }
    }

    /// <summary>
    /// Called after publishing an SQE. Pairs with the ring thread's "set the flag, then look at the
    /// SQ" so that either it sees the new SQE or this caller sees the flag (both use full fences).
    /// </summary>
    private void WakeRingThreadIfAsleep()
    {
        if (Volatile.Read(ref _ringThreadMaySleep) != 0 && Interlocked.Exchange(ref _ringThreadMaySleep, 0) != 0)
        {
            WakeRingThread();
        }
        else
        {
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _ringThreadMaySleep) != 0 && Interlocked.Exchange(ref _ringThreadMaySleep, 0) != 0)
            {
                WakeRingThread();
            }
        }
    }

    private void WakeRingThread()
    {
        ulong one = 1;
        _ = Libc.WriteFd(_doorbellFd, (byte*)&one, sizeof(ulong)); // EAGAIN only if the counter is near 2^64: already rung
    }

    private void EnterSubmitLocked()
    {
        var spins = 0;
        while (_unsubmitted > 0)
        {
            var n = Enter(_ringFd, _unsubmitted, 0, 0);
            if (n > 0)
            {
                _unsubmitted -= (uint)n;
                continue;
            }

            var errno = n == 0 ? Libc.EAGAIN : Marshal.GetLastSystemError();
            if (errno is Libc.EINTR or Libc.EAGAIN or Libc.EBUSY && ++spins < 1_000_000)
            {
                // EAGAIN/EBUSY: the kernel is short of memory or completions are backed up; the
                // completion thread drains them, so retry after yielding.
                Thread.Yield();
                continue;
            }

            throw new IoException("io_uring_enter", "io_uring", 0, _unsubmitted, errno);
        }
    }

    internal void Release(UringOperation op)
    {
        lock (_submitLock)
        {
            _freeSlots[_freeCount++] = op.Slot;
        }

        _slots.Release();
    }

    private void CompletionLoop()
    {
        var stopping = false;
        while (true)
        {
            var head = *_cqHead; // only this thread writes the CQ head
            var tail = Volatile.Read(ref *_cqTail); // acquire: CQE contents are visible after this
            if (head == tail)
            {
                if (stopping && Volatile.Read(ref _inFlight) == 0)
                {
                    return;
                }

                var n = Enter(_ringFd, 0, 1, EnterGetEvents);
                if (n < 0)
                {
                    var errno = Marshal.GetLastSystemError();
                    if (errno is not (Libc.EINTR or Libc.EAGAIN or Libc.EBUSY))
                    {
                        Environment.FailFast($"io_uring_enter(GETEVENTS) failed: {Libc.ErrorText(errno)} (errno {errno})");
                    }
                }

                continue;
            }

            while (head != tail)
            {
                var cqe = &_cqes[head & _cqMask];
                var userData = cqe->UserData;
                var result = cqe->Res;
                head++;
                if (userData == ShutdownToken)
                {
                    stopping = true;
                    continue;
                }

                Interlocked.Decrement(ref _inFlight);
                Dispatch((int)userData, result);
            }

            // Release: the kernel may reuse the CQE slots once it sees the new head.
            Volatile.Write(ref *_cqHead, head);
            ScheduleDispatchers();
        }
    }

    /// <summary>
    /// Single-issuer mode: the only task that enters the kernel. Each pass submits every SQE callers
    /// have published, runs the deferred completion work, and sleeps only when there is nothing to do.
    /// </summary>
    private void RingThreadLoop()
    {
        if (Register(_ringFd, RegisterEnableRings, null, 0) < 0)
        {
            _startErrno = Marshal.GetLastSystemError();
            _started!.Set();
            return;
        }

        lock (_submitLock)
        {
            ArmDoorbellLocked();
        }

        _started!.Set();
        var stopping = false;
        while (true)
        {
            stopping |= ReapCompletions();
            if (stopping && Volatile.Read(ref _inFlight) == 0)
            {
                return;
            }

            // Announce a possible sleep, then look: a caller that publishes after this sees the flag.
            Interlocked.Exchange(ref _ringThreadMaySleep, 1);
            var pending = Volatile.Read(ref *_sqTail) - Volatile.Read(ref *_sqHead);
            var idle = pending == 0 && Volatile.Read(ref *_cqTail) == *_cqHead;
            var n = Enter(_ringFd, pending, idle ? 1u : 0u, EnterGetEvents);
            Volatile.Write(ref _ringThreadMaySleep, 0);
            if (n < 0)
            {
                var errno = Marshal.GetLastSystemError();
                if (errno is not (Libc.EINTR or Libc.EAGAIN or Libc.EBUSY or Libc.ETIME))
                {
                    Environment.FailFast($"io_uring_enter failed: {Libc.ErrorText(errno)} (errno {errno})");
                }

                if (errno is Libc.EAGAIN or Libc.EBUSY)
                {
                    Thread.Yield(); // short of memory or completions backed up: reap, then retry
                }
            }
        }
    }

    private void ArmDoorbellLocked() => PushLocked(OpRead, _doorbellFd, (ulong)_doorbellValue, sizeof(ulong), 0, 0, DoorbellToken);

    /// <summary>Dispatches every CQE in the ring; returns true when the shutdown token was seen.</summary>
    private bool ReapCompletions()
    {
        var stopping = false;
        var head = *_cqHead; // only this thread writes the CQ head
        var tail = Volatile.Read(ref *_cqTail); // acquire: CQE contents are visible after this
        while (head != tail)
        {
            var cqe = &_cqes[head & _cqMask];
            var userData = cqe->UserData;
            var result = cqe->Res;
            head++;
            if (userData == ShutdownToken)
            {
                stopping = true;
            }
            else if (userData == DoorbellToken)
            {
                lock (_submitLock)
                {
                    if (!_disposed)
                    {
                        ArmDoorbellLocked(); // after shutdown nothing new is submitted, so no one rings
                    }
                }
            }
            else
            {
                Interlocked.Decrement(ref _inFlight);
                Dispatch((int)userData, result);
            }
        }

        // Release: the kernel may reuse the CQE slots once it sees the new head.
        Volatile.Write(ref *_cqHead, head);
        ScheduleDispatchers();
        return stopping;
    }

    private void Dispatch(int slot, int result)
    {
        var op = _operations[slot];
        op.Complete(result);
        _dispatchers[slot % _dispatchers.Length].Enqueue(op);
    }

    private void ScheduleDispatchers()
    {
        foreach (var dispatcher in _dispatchers)
        {
            dispatcher.Schedule();
        }
    }

    /// <summary>Waits for in-flight operations, stops the completion thread and unmaps the ring.</summary>
    public void Dispose()
    {
        while (true)
        {
            lock (_submitLock)
            {
                if (_disposed)
                {
                    return;
                }

                if (!SingleIssuer || HasSqSpaceLocked())
                {
                    _disposed = true;
                    PushLocked(OpNop, -1, 0, 0, 0, 0, ShutdownToken);
                    break;
                }
            }

            WakeRingThread(); // rare: the SQ is full; let the ring thread drain it
            Thread.Yield();
        }

        if (SingleIssuer)
        {
            WakeRingThread();
        }

        _completionThread.Join();
        UnmapRings();
        _ = Libc.Close(_ringFd); // cancels the doorbell read still pending
        if (SingleIssuer)
        {
            _ = Libc.Close(_doorbellFd);
            NativeMemory.AlignedFree(_doorbellValue);
        }

        _slots.Dispose();
    }
}
