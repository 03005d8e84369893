using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>How a <see cref="WriteAheadLog"/> is laid out and flushed.</summary>
public sealed record WalOptions
{
    public const long DefaultSegmentSize = 64L << 20;

    public required string Directory { get; init; }

    /// <summary>Bytes per segment file; segments start at multiples of it. Must stay the same for a given WAL directory.</summary>
    public long SegmentSize { get; init; } = DefaultSegmentSize;

    /// <summary>The in-memory ring that committers append into (storage.wal_buffer_size).</summary>
    public int BufferSize { get; init; } = 64 << 20;

    /// <summary>storage.sync_commit: the flusher is woken by every append; otherwise it flushes every <see cref="FlushDelay"/>.</summary>
    public bool SyncCommit { get; init; } = true;

    /// <summary>With sync_commit = false, the longest an appended record waits before it is written and fdatasync'ed.</summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    public IoBackendKind IoBackend { get; init; } = IoBackendKind.Auto;

    /// <summary>
    /// The data directory's system identifier (CONTROL): the WAL directory's marker must carry it, and the
    /// segment holding the redo start must exist. 0 = not checked (a WAL used without a data directory).
    /// </summary>
    public ulong SystemId { get; init; }

    /// <summary>The first open after an upgrade: the redo start's segment may be missing (older builds created none before the first write).</summary>
    internal bool AdoptExisting { get; init; }

    /// <summary>Tests: wraps every segment file opened (see <see cref="StorageOptions.FileDecorator"/>).</summary>
    internal Func<StorageFile, StorageFile>? FileDecorator { get; init; }

    public static WalOptions From(StorageOptions storage) => new()
    {
        FileDecorator = storage.FileDecorator,
        Directory = storage.EffectiveWalDir,
        SegmentSize = storage.WalSegmentSize,
        BufferSize = (int)Math.Clamp(storage.WalBufferSize, 64 << 10, 1L << 30),
        SyncCommit = storage.SyncCommit,
        IoBackend = storage.IoBackend,
    };
}

/// <summary>How <see cref="WalDirectoryMarker"/> treats a missing or different <c>WAL_ID</c> marker.</summary>
internal enum WalMarkerMode
{
    /// <summary>At every WAL open: the marker must exist and name <see cref="WalOptions.SystemId"/>.</summary>
    Verify,

    /// <summary>
    /// A data file not initialised yet: write the marker and an empty first segment. Segments without a marker, or
    /// with another system's marker, are another database's WAL and refused.
    /// </summary>
    CreateForNewDatabase,

    /// <summary>A data directory from before markers existed: write the marker over the segments already there.</summary>
    CreateForUpgrade,
}
