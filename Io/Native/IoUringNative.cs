using System.Runtime.InteropServices;

namespace ThunderDb.Io.Native;

/// <summary>
/// The io_uring kernel ABI (include/uapi/linux/io_uring.h), reached through libc's syscall(2)
/// so no liburing is needed. Struct sizes are asserted in the tests.
/// </summary>
internal static unsafe partial class IoUringNative
{
    // The io_uring syscalls share one number on every architecture (the unified table).
    public const long SysIoUringSetup = 425;
    public const long SysIoUringEnter = 426;
    public const long SysIoUringRegister = 427;

    public const byte OpNop = 0;
    public const byte OpFsync = 3;
    public const byte OpRead = 22;
    public const byte OpWrite = 23;

    public const uint FsyncDataSync = 1;

    public const uint EnterGetEvents = 1;

    public const uint FeatSingleMmap = 1;
    public const uint FeatNoDrop = 2;

    public const long OffSqRing = 0;
    public const long OffCqRing = 0x8000000;
    public const long OffSqes = 0x10000000;

    public const uint RegisterProbe = 8;
    public const ushort ProbeOpSupported = 1;

    public const int ProtRead = 0x1;
    public const int ProtWrite = 0x2;
    public const int MapShared = 0x01;
    public const int MapPopulate = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    public struct SqringOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct CqringOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Resv1;
        public ulong UserAddr;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Params
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Resv0;
        public uint Resv1;
        public uint Resv2;
        public SqringOffsets SqOff;
        public CqringOffsets CqOff;
    }

    /// <summary>io_uring_sqe: 64 bytes. Only the fields the read/write/fsync ops use are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct Sqe
    {
        [FieldOffset(0)] public byte Opcode;
        [FieldOffset(1)] public byte Flags;
        [FieldOffset(2)] public ushort IoPrio;
        [FieldOffset(4)] public int Fd;
        [FieldOffset(8)] public ulong Off;
        [FieldOffset(16)] public ulong Addr;
        [FieldOffset(24)] public uint Len;
        [FieldOffset(28)] public uint OpFlags; // rw_flags / fsync_flags
        [FieldOffset(32)] public ulong UserData;
        [FieldOffset(40)] public ushort BufIndex;
        [FieldOffset(42)] public ushort Personality;
        [FieldOffset(44)] public int SpliceFdIn;
        [FieldOffset(48)] public ulong Addr3;
        [FieldOffset(56)] public ulong Pad2;
    }

    /// <summary>io_uring_cqe: 16 bytes (no IORING_SETUP_CQE32).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Cqe
    {
        public ulong UserData;
        public int Res;
        public uint Flags;
    }

    /// <summary>struct io_uring_probe header; followed by ops_len entries of <see cref="ProbeOp"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProbeHeader
    {
        public byte LastOp;
        public byte OpsLen;
        public ushort Resv;
        public uint Resv2a;
        public uint Resv2b;
        public uint Resv2c;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ProbeOp
    {
        public byte Op;
        public byte Resv;
        public ushort Flags;
        public uint Resv2;
    }

    // glibc's syscall() is a plain register shuffle (no va_arg use), so a fixed six-argument
    // signature is a correct way to call it on x86-64 and arm64.
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    public static readonly nint MapFailed = -1;

    /// <summary>io_uring_setup(2); returns the ring fd or -1 with errno.</summary>
    public static int Setup(uint entries, Params* p) => (int)Syscall(SysIoUringSetup, entries, (long)p, 0, 0, 0, 0);

    /// <summary>io_uring_enter(2) without a signal mask; returns the number submitted or -1 with errno.</summary>
    public static int Enter(int ringFd, uint toSubmit, uint minComplete, uint flags) =>
        (int)Syscall(SysIoUringEnter, ringFd, toSubmit, minComplete, flags, 0, 0);

    /// <summary>io_uring_register(2).</summary>
    public static int Register(int ringFd, uint opcode, void* arg, uint nrArgs) =>
        (int)Syscall(SysIoUringRegister, ringFd, opcode, (long)arg, nrArgs, 0, 0);
}
