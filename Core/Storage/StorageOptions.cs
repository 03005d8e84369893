using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage;

/// <summary>Compression applied to large values before they go to overflow pages.</summary>
public enum CompressionAlgorithm
{
    Lz4,
    Zstd,
}

/// <summary>
/// Everything the storage engine needs from the configuration, already validated by the host.
/// Sizes are in bytes.
/// </summary>
public sealed record StorageOptions
{
    public required string DataDir { get; init; }

    /// <summary>Directory of WAL segments; defaults to <c>DataDir/wal</c>.</summary>
    public string? WalDir { get; init; }

    public int PageSize { get; init; } = 16384;

    public long BufferPoolSize { get; init; } = 1L << 30;

    public long WalBufferSize { get; init; } = 64L << 20;

    /// <summary>
    /// storage.max_transaction_size: the most a transaction's write set may hold (keys plus values as logged). A write
    /// set is kept in memory until commit (about twice this in RAM), so this bounds a transaction's memory.
    /// </summary>
    public long MaxTransactionSize { get; init; } = DefaultMaxTransactionSize;

    public const long DefaultMaxTransactionSize = 1L << 30;

    public bool SyncCommit { get; init; } = true;

    public bool DirectIo { get; init; }

    public IoBackendKind IoBackend { get; init; } = IoBackendKind.Auto;

    public bool Compression { get; init; } = true;

    public CompressionAlgorithm CompressionAlgorithm { get; init; } = CompressionAlgorithm.Lz4;

    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    public long MaxWalSize { get; init; } = 1L << 30;

    public int CompactionThreads { get; init; } = 1;

    /// <summary>Tests: wraps every file the engine opens (data file, WAL segments), e.g. to inject I/O faults.</summary>
    internal Func<StorageFile, StorageFile>? FileDecorator { get; init; }

    /// <summary>Tests: WAL segment size (so a few commits cross segments and checkpoints remove or archive them).</summary>
    internal long WalSegmentSize { get; init; } = Wal.WalOptions.DefaultSegmentSize;

    public string EffectiveWalDir => WalDir ?? Path.Combine(DataDir, "wal");
}
