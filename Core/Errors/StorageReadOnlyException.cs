namespace ThunderDb.Core.Errors;

/// <summary>
/// The store refuses writes (disk full, I/O error); reads still work. Raised as low as the WAL and seen by every
/// layer above it up to each protocol, so it lives below all of them.
/// </summary>
public sealed class StorageReadOnlyException(string message, Exception? inner = null) : Exception(message, inner);
