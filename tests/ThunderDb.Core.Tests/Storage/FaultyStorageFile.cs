using ThunderDb.Io;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Tests.Storage;

/// <summary>Which upcoming operations of the wrapped files fail, and with which errno.</summary>
internal sealed class FaultPlan
{
    public const int EIO = 5;
    public const int ENOSPC = 28;

    private int _failWrites;
    private int _failFlushes;

    /// <summary>Only files whose path this accepts get faults (all by default).</summary>
    public Func<string, bool> Applies { get; init; } = _ => true;

    public int Errno { get; set; } = EIO;

    /// <summary>Bytes written to a faulty file before a failure of its write, if set: a short write, then the error.</summary>
    public int FailedWritePrefix { get; set; }

    public int FlushesFailed { get; private set; }

    public int WritesFailed { get; private set; }

    private int _blockWrites;
    private int _flushes;

    /// <summary>Set when a write is held by <see cref="BlockNextWrite"/>; the write continues once <see cref="ReleaseWrite"/> is set.</summary>
    public ManualResetEventSlim WriteBlocked { get; } = new(false);

    public ManualResetEventSlim ReleaseWrite { get; } = new(false);

    /// <summary>Successful fdatasyncs of faulty files.</summary>
    public int Flushes => Volatile.Read(ref _flushes);

    /// <summary>The next write stalls (a slow write-back) until <see cref="ReleaseWrite"/> is set.</summary>
    public void BlockNextWrite() => Volatile.Write(ref _blockWrites, 1);

    internal void MaybeBlockWrite()
    {
        if (Take(ref _blockWrites))
        {
            WriteBlocked.Set();
            ReleaseWrite.Wait(TimeSpan.FromSeconds(30));
        }
    }

    internal void CountFlush() => Interlocked.Increment(ref _flushes);

    public void FailNextWrites(int count) => Volatile.Write(ref _failWrites, count);

    public void FailNextFlushes(int count) => Volatile.Write(ref _failFlushes, count);

    public void Disarm()
    {
        FailNextWrites(0);
        FailNextFlushes(0);
    }

    internal bool TakeWriteFault()
    {
        if (Take(ref _failWrites))
        {
            WritesFailed++;
            return true;
        }

        return false;
    }

    internal bool TakeFlushFault()
    {
        if (Take(ref _failFlushes))
        {
            FlushesFailed++;
            return true;
        }

        return false;
    }

    private static bool Take(ref int counter)
    {
        while (true)
        {
            var n = Volatile.Read(ref counter);
            if (n <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, n - 1, n) == n)
            {
                return true;
            }
        }
    }

    /// <summary>For <see cref="Core.Storage.StorageOptions.FileDecorator"/>.</summary>
    public StorageFile Wrap(StorageFile file) => Applies(file.Path) ? new FaultyStorageFile(file, this) : file;
}

/// <summary>
/// A <see cref="StorageFile"/> decorator that fails chosen writes and fdatasyncs like a failing disk. A failed
/// fdatasync also undoes every write since the last good one, as Linux does when it drops dirty pages after a
/// write-back error (the data file then holds what it held before, and a later fdatasync succeeds).
/// </summary>
internal sealed class FaultyStorageFile(StorageFile inner, FaultPlan plan) : StorageFile(inner.Path, inner.IsDirectIo)
{
    private readonly List<(long Offset, byte[] Before)> _unsynced = [];

    public override string BackendName => inner.BackendName;

    public override long Length => inner.Length;

    public override int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

    public override void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (plan.TakeWriteFault())
        {
            var prefix = Math.Min(plan.FailedWritePrefix, data.Length);
            if (prefix > 0)
            {
                Remember(offset, prefix);
                inner.Write(offset, data[..prefix]);
            }

            throw new IoException("pwrite (injected)", Path, offset, data.Length, plan.Errno);
        }

        plan.MaybeBlockWrite();
        Remember(offset, data.Length);
        inner.Write(offset, data);
    }

    private void Remember(long offset, int length)
    {
        var before = new byte[length]; // past the old end of the file: zeros, as a lost extending write reads back
        inner.Read(offset, before);
        lock (_unsynced)
        {
            _unsynced.Add((offset, before));
        }
    }

    public override ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(offset, buffer.Span));

    public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Write(offset, data.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        lock (_unsynced)
        {
            if (plan.TakeFlushFault())
            {
                // The kernel dropped the dirty pages: undo the writes, newest first.
                for (var i = _unsynced.Count - 1; i >= 0; i--)
                {
                    var (offset, before) = _unsynced[i];
                    inner.Write(offset, before);
                }

                _unsynced.Clear();
                inner.Flush();
                throw new IoException("fdatasync (injected)", Path, 0, 0, plan.Errno);
            }

            inner.Flush();
            _unsynced.Clear();
            plan.CountFlush();
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Flush();
        return ValueTask.CompletedTask;
    }

    public override void SetLength(long length) => inner.SetLength(length);

    public override void Preallocate(long offset, long length) => inner.Preallocate(offset, length);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
    }
}
