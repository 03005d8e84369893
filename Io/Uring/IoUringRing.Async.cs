namespace ThunderDb.Io.Uring;

// Async submission lives in this part because C# forbids await inside an unsafe context.
internal sealed partial class IoUringRing
{
    /// <summary>Submits one operation; the returned task completes (on the thread pool) with the CQE result.</summary>
    public ValueTask<int> SubmitAsync(byte opcode, int fd, nint address, uint length, long offset, uint opFlags)
    {
        if (!_slots.Wait(0))
        {
            return SubmitAfterSlotAsync(opcode, fd, address, length, offset, opFlags);
        }

        UringOperation op;
        try
        {
            op = Submit(opcode, fd, address, length, offset, opFlags);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        return op.AsValueTask();
    }

    private async ValueTask<int> SubmitAfterSlotAsync(byte opcode, int fd, nint address, uint length, long offset, uint opFlags)
    {
        // Rare path: every slot is busy. The caller keeps its buffer pinned until this completes.
        await _slots.WaitAsync().ConfigureAwait(false);
        UringOperation op;
        try
        {
            op = Submit(opcode, fd, address, length, offset, opFlags);
        }
        catch
        {
            _slots.Release();
            throw;
        }

        return await op.AsValueTask().ConfigureAwait(false);
    }
}
