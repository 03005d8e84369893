using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using ThunderDb.Io.Native;
using static ThunderDb.Io.Native.IoUringNative;

namespace ThunderDb.Io.Uring;

/// <summary>
/// One io_uring instance: a submission queue shared by every caller under a short lock, and one
/// completion thread that blocks in io_uring_enter(GETEVENTS) and hands each completion to the
/// operation named by its user_data (a slot index). Up to <see cref="MaxInFlight"/> operations are
/// in flight at once; callers beyond that wait for a slot, so the completion queue never overflows.
/// </summary>
/// <remarks>
/// Why one completion thread rather than callers reaping for themselves: async callers need
/// someone to reap while they are not waiting, and a single reaper keeps the CQ head single-writer.
/// Only the async methods of <see cref="Files.IoUringStorageFile"/> use the ring; its sync methods
/// call pread/pwrite directly (a blocking caller pays fewer hand-offs that way; docs/perf.md "## Io").
/// </remarks>
internal sealed unsafe partial class IoUringRing : IDisposable
{
    private const ulong ShutdownToken = ulong.MaxValue;

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
    private readonly int[] _freeSlots;
    private int _freeCount;
    private readonly SemaphoreSlim _slots;
    private int _inFlight;
    private uint _unsubmitted; // SQEs published to the ring but not yet accepted by io_uring_enter
    private bool _disposed;
    private readonly Thread _completionThread;

    private IoUringRing(int ringFd, in Params p)
    {
        _ringFd = ringFd;
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
        _slots = new SemaphoreSlim(MaxInFlight, MaxInFlight);

        _completionThread = new Thread(CompletionLoop)
        {
            IsBackground = true,
            Name = "io_uring completions",
        };
        _completionThread.Start();
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
    public static bool TryCreate(uint entries, [NotNullWhen(true)] out IoUringRing? ring, out int errno, out string failure)
    {
        ring = null;
        Params p = default;
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
            ring = new IoUringRing(fd, p);
        }
        catch (IoException e)
        {
            _ = Libc.Close(fd);
            errno = e.Errno;
            failure = "mmap of the io_uring rings";
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
        lock (_submitLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
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

            return op;
        }
    }

    private void PushLocked(byte opcode, int fd, ulong address, uint length, ulong offset, uint opFlags, ulong userData)
    {
        var tail = *_sqTail; // only this thread (under the lock) writes the tail
        if (tail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            // The kernel consumes SQEs inside io_uring_enter, so a full SQ means earlier SQEs were not accepted yet.
            EnterSubmitLocked();
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
        _unsubmitted++;
        EnterSubmitLocked();
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
                _operations[(int)userData].Complete(result);
            }

            // Release: the kernel may reuse the CQE slots once it sees the new head.
            Volatile.Write(ref *_cqHead, head);
        }
    }

    /// <summary>Waits for in-flight operations, stops the completion thread and unmaps the ring.</summary>
    public void Dispose()
    {
        lock (_submitLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            PushLocked(OpNop, -1, 0, 0, 0, 0, ShutdownToken);
        }

        _completionThread.Join();
        if (_cqRing != _sqRing)
        {
            _ = Munmap(_cqRing, _cqRingSize);
        }

        _ = Munmap(_sqRing, _sqRingSize);
        _ = Munmap(_sqes, _sqesSize);
        _ = Libc.Close(_ringFd);
        _slots.Dispose();
    }
}
