using ThunderDb.Io.Native;

namespace ThunderDb.Io.Tests.Uring;

/// <summary>The kernel ABI structs must match include/uapi/linux/io_uring.h byte for byte.</summary>
public class IoUringLayoutTests
{
    [Test]
    public async Task Struct_sizes_match_the_kernel_abi()
    {
        int sqe, cqe, param, sqOff, cqOff, probeHeader, probeOp;
        unsafe
        {
            sqe = sizeof(IoUringNative.Sqe);
            cqe = sizeof(IoUringNative.Cqe);
            param = sizeof(IoUringNative.Params);
            sqOff = sizeof(IoUringNative.SqringOffsets);
            cqOff = sizeof(IoUringNative.CqringOffsets);
            probeHeader = sizeof(IoUringNative.ProbeHeader);
            probeOp = sizeof(IoUringNative.ProbeOp);
        }

        await Assert.That(sqe).IsEqualTo(64);
        await Assert.That(cqe).IsEqualTo(16);
        await Assert.That(param).IsEqualTo(120);
        await Assert.That(sqOff).IsEqualTo(40);
        await Assert.That(cqOff).IsEqualTo(40);
        await Assert.That(probeHeader).IsEqualTo(16);
        await Assert.That(probeOp).IsEqualTo(8);
    }

    [Test]
    public async Task Field_offsets_match_the_kernel_abi()
    {
        // sqe: fd, off, addr, len, rw_flags, user_data, buf_index, addr3; params: features, sq_off, cq_off,
        // sq_off.array, cq_off.cqes; cqe: res, flags.
        var offsets = string.Join(",", Offsets());
        await Assert.That(offsets).IsEqualTo("4,8,16,24,28,32,40,48,20,40,80,64,100,8,12");
    }

    private static unsafe long[] Offsets()
    {
        IoUringNative.Sqe s = default;
        var b = (byte*)&s;
        IoUringNative.Params p = default;
        var pb = (byte*)&p;
        IoUringNative.Cqe c = default;
        var cb = (byte*)&c;
        return
        [
            (byte*)&s.Fd - b, (byte*)&s.Off - b, (byte*)&s.Addr - b, (byte*)&s.Len - b, (byte*)&s.OpFlags - b,
            (byte*)&s.UserData - b, (byte*)&s.BufIndex - b, (byte*)&s.Addr3 - b,
            (byte*)&p.Features - pb, (byte*)&p.SqOff - pb, (byte*)&p.CqOff - pb, (byte*)&p.SqOff.Array - pb, (byte*)&p.CqOff.Cqes - pb,
            (byte*)&c.Res - cb, (byte*)&c.Flags - cb,
        ];
    }
}
