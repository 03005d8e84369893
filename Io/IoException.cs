using ThunderDb.Io.Native;

namespace ThunderDb.Io;

/// <summary>
/// An operating-system I/O failure. Names the file, the operation, the offset and length involved,
/// and carries the errno so callers can tell ENOSPC/EIO (go read-only) from programming errors.
/// </summary>
public sealed class IoException : IOException
{
    public IoException(string operation, string path, long offset, long length, int errno)
        : base($"{operation} failed on '{path}' at offset {offset}, length {length}: {Libc.ErrorText(errno)} (errno {errno})")
    {
        Operation = operation;
        Path = path;
        Offset = offset;
        Length = length;
        Errno = errno;
    }

    public IoException(string message, string path, int errno) : base(message)
    {
        Operation = "io";
        Path = path;
        Errno = errno;
    }

    public string Operation { get; }
    public string Path { get; }
    public long Offset { get; }
    public long Length { get; }
    public int Errno { get; }

    /// <summary>True when the device is out of space.</summary>
    public bool IsOutOfSpace => Errno == Libc.ENOSPC;
}
