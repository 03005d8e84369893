using System.Globalization;
using ThunderDb.Io.Files;

namespace ThunderDb.Core.Storage.Wal;

/// <summary>
/// The segment files of one WAL directory seen as one byte stream addressed by LSN. Segment
/// <c>{startLsn:x16}.wal</c> holds LSNs [start, start + segmentSize). The writer only ever appends at
/// the end; it fdatasyncs a segment before writing the first byte of the next one, so data in a later
/// segment implies every earlier segment is complete on disk.
/// </summary>
internal sealed class WalSegmentSet : IDisposable
{
    public const string Extension = ".wal";

    private readonly string _directory;
    private readonly long _segmentSize;
    private readonly FileOpenOptions _openOptions;
    private readonly SortedList<ulong, long> _lengths = []; // segment start -> bytes in the file
    private readonly Dictionary<ulong, StorageFile> _readers = [];
    private StorageFile? _writer;
    private ulong _writerStart;

    private readonly Func<StorageFile, StorageFile>? _decorator;

    public WalSegmentSet(string directory, long segmentSize, IoBackendKind backend, Func<StorageFile, StorageFile>? decorator = null)
    {
        _decorator = decorator;
        if (segmentSize <= 0 || segmentSize % WalRecord.Alignment != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize), "segment size must be a positive multiple of 8");
        }

        _directory = directory;
        _segmentSize = segmentSize;
        _openOptions = new FileOpenOptions { Backend = backend, CreateIfMissing = true };
        DirectorySync.CreateDurably(directory);
        foreach (var path in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == 16 && ulong.TryParse(name, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start))
            {
                if (start % (ulong)segmentSize != 0)
                {
                    throw new InvalidDataException($"WAL segment '{path}' does not start at a multiple of the segment size {segmentSize}");
                }

                _lengths[start] = new FileInfo(path).Length;
            }
        }
    }

    public long SegmentSize => _segmentSize;

    public int Count => _lengths.Count;

    public string DirectoryPath => _directory;

    /// <summary>One past the last byte held by the last segment (0 when there is none).</summary>
    public ulong DataEnd => _lengths.Count == 0 ? 0 : _lengths.Keys[^1] + (ulong)_lengths.Values[^1];

    public ulong? FirstStart => _lengths.Count == 0 ? null : _lengths.Keys[0];

    /// <summary>Total bytes of all segment files.</summary>
    public long BytesOnDisk
    {
        get
        {
            long total = 0;
            foreach (var length in _lengths.Values)
            {
                total += length;
            }

            return total;
        }
    }

    /// <summary>True when the segment file starting at <paramref name="segmentStart"/> exists.</summary>
    public bool Holds(ulong segmentStart) => _lengths.ContainsKey(segmentStart);

    /// <summary>The first segment missing between the one holding <paramref name="fromLsn"/> and the last one, if any.</summary>
    public ulong? FindGap(ulong fromLsn)
    {
        ulong? previous = null;
        foreach (var start in _lengths.Keys)
        {
            if (start + (ulong)_segmentSize <= fromLsn)
            {
                continue;
            }

            if (previous is { } p && start != p + (ulong)_segmentSize)
            {
                return p + (ulong)_segmentSize;
            }

            previous = start;
        }

        return null;
    }

    /// <summary>
    /// Opens the segment the next append goes to (creating it if need be) right after recovery, so the segment
    /// holding the redo start of any later checkpoint always exists: a WAL directory with none is then always an error.
    /// At a segment boundary the full segment before it stays the writer until the first byte lands in the next.
    /// </summary>
    public void OpenWriterAt(ulong lsn)
    {
        var start = SegmentStartOf(lsn);
        if (!_lengths.ContainsKey(start) && lsn == start && lsn > 0 && _lengths.ContainsKey(start - (ulong)_segmentSize))
        {
            start -= (ulong)_segmentSize;
        }

        Writer(start);
    }

    public ulong SegmentStartOf(ulong lsn) => lsn - (lsn % (ulong)_segmentSize);

    public string PathOf(ulong segmentStart) => Path.Combine(_directory, FileNameOf(segmentStart));

    public static string FileNameOf(ulong segmentStart) => segmentStart.ToString("x16", CultureInfo.InvariantCulture) + Extension;

    /// <summary>Reads the bytes at [lsn, lsn + destination.Length) as far as they are contiguous on disk; returns how many.</summary>
    public int ReadAt(ulong lsn, Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var start = SegmentStartOf(lsn);
            if (!_lengths.TryGetValue(start, out var length))
            {
                break;
            }

            var offset = (long)(lsn - start);
            if (offset >= length)
            {
                break;
            }

            var want = (int)Math.Min(destination.Length - total, length - offset);
            var got = Reader(start).Read(offset, destination.Slice(total, want));
            total += got;
            lsn += (ulong)got;
            if (got < want)
            {
                break;
            }
        }

        return total;
    }

    private StorageFile Reader(ulong start)
    {
        if (_writer is not null && start == _writerStart)
        {
            return _writer;
        }

        if (!_readers.TryGetValue(start, out var file))
        {
            file = OpenFile(PathOf(start), _openOptions with { CreateIfMissing = false });
            _readers[start] = file;
        }

        return file;
    }

    private StorageFile OpenFile(string path, FileOpenOptions options)
    {
        var file = StorageFile.Open(path, options);
        return _decorator is null ? file : _decorator(file);
    }

    /// <summary>Closes the files opened for reading (after recovery).</summary>
    public void CloseReaders()
    {
        foreach (var file in _readers.Values)
        {
            file.Dispose();
        }

        _readers.Clear();
    }

    /// <summary>fdatasyncs every segment from the one holding <paramref name="fromLsn"/> on (replayed bytes may only be in the page cache).</summary>
    public void SyncFrom(ulong fromLsn)
    {
        var first = SegmentStartOf(fromLsn);
        foreach (var start in _lengths.Keys)
        {
            if (start >= first)
            {
                Reader(start).Flush();
            }
        }
    }

    /// <summary>Cuts the log at <paramref name="lsn"/>: shortens its segment and deletes every later one.</summary>
    public void TruncateAt(ulong lsn)
    {
        var start = SegmentStartOf(lsn);
        var changed = false;
        for (var i = _lengths.Count - 1; i >= 0; i--)
        {
            var segment = _lengths.Keys[i];
            if (segment > start)
            {
                DropReader(segment);
                File.Delete(PathOf(segment));
                _lengths.RemoveAt(i);
                changed = true;
            }
        }

        if (_lengths.TryGetValue(start, out var length) && length > (long)(lsn - start))
        {
            var file = Reader(start);
            file.SetLength((long)(lsn - start));
            file.Flush();
            _lengths[start] = (long)(lsn - start);
        }

        if (changed)
        {
            DirectorySync.Sync(_directory);
        }
    }

    private void DropReader(ulong start)
    {
        if (_readers.Remove(start, out var file))
        {
            file.Dispose();
        }
    }

    /// <summary>Writes log bytes at <paramref name="lsn"/>, crossing into new segments as needed.</summary>
    public void Write(ulong lsn, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var start = SegmentStartOf(lsn);
            var file = Writer(start);
            var offset = (long)(lsn - start);
            var count = (int)Math.Min(data.Length, _segmentSize - offset);
            file.Write(offset, data[..count]);
            if (offset + count > _lengths[start])
            {
                _lengths[start] = offset + count;
            }

            lsn += (ulong)count;
            data = data[count..];
        }
    }

    /// <summary>fdatasync of the segment being written.</summary>
    public void Sync() => _writer?.Flush();

    private StorageFile Writer(ulong start)
    {
        if (_writer is not null && _writerStart == start)
        {
            return _writer;
        }

        if (_writer is not null)
        {
            // Finish the old segment before the first byte lands in the new one (see the class comment).
            _writer.Flush();
            _writer.Dispose();
            _writer = null;
        }

        DropReader(start);
        var created = !_lengths.ContainsKey(start);
        _writer = OpenFile(PathOf(start), _openOptions);
        _writerStart = start;
        if (created)
        {
            _lengths[start] = 0;
            DirectorySync.Sync(_directory);
        }

        return _writer;
    }

    /// <summary>
    /// After a failed write or sync: cuts the log back to <paramref name="lsn"/> (the durable end), deleting any
    /// segment the failed batch had crossed into and shortening the one holding <paramref name="lsn"/>, whose tail was
    /// already fdatasynced when the writer moved on. Otherwise a restart would replay commits that were reported as
    /// failed. Best effort: the disk already failed, and a record cut in the middle is dropped at recovery anyway.
    /// </summary>
    public void TryDiscardFrom(ulong lsn)
    {
        try
        {
            if (_writer is not null && _writerStart > SegmentStartOf(lsn))
            {
                _writer.Dispose();
                _writer = null;
            }

            TruncateAt(lsn);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do; the failure that got us here is what the caller reports.
        }
    }

    /// <summary>The segments <see cref="DeleteBelow"/> would delete now (start LSN and path), oldest first.</summary>
    public List<(ulong Start, string Path)> SegmentsWhollyBelow(ulong lsn)
    {
        var list = new List<(ulong, string)>();
        foreach (var start in _lengths.Keys)
        {
            if (start + (ulong)_segmentSize > lsn || (_writer is not null && start == _writerStart))
            {
                break;
            }

            list.Add((start, PathOf(start)));
        }

        return list;
    }

    /// <summary>Every segment from the one holding <paramref name="fromLsn"/> on (start LSN and path), oldest first.</summary>
    public List<(ulong Start, string Path)> SegmentsFrom(ulong fromLsn)
    {
        var first = SegmentStartOf(fromLsn);
        var list = new List<(ulong, string)>();
        foreach (var start in _lengths.Keys)
        {
            if (start >= first)
            {
                list.Add((start, PathOf(start)));
            }
        }

        return list;
    }

    /// <summary>Deletes the segments that lie wholly below <paramref name="lsn"/>; returns how many.</summary>
    public int DeleteBelow(ulong lsn)
    {
        var deleted = 0;
        while (_lengths.Count > 0)
        {
            var start = _lengths.Keys[0];
            if (start + (ulong)_segmentSize > lsn || (_writer is not null && start == _writerStart))
            {
                break;
            }

            DropReader(start);
            File.Delete(PathOf(start));
            _lengths.RemoveAt(0);
            deleted++;
        }

        if (deleted > 0)
        {
            DirectorySync.Sync(_directory);
        }

        return deleted;
    }

    public void Dispose()
    {
        CloseReaders();
        _writer?.Dispose();
        _writer = null;
    }
}
