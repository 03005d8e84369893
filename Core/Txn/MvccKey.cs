using System.Buffers.Binary;
using ThunderDb.Core.Keys;

namespace ThunderDb.Core.Txn;

/// <summary>
/// The versioned key layout in the ordered store:
/// <c>escape(userKey) ++ 0x00 0x00 ++ bigEndian(~commitTs)</c>, where escape turns each 0x00 into 0x00 0xFF.
/// User-key order is preserved, all versions of a key are adjacent, and newer versions sort first.
/// The prefix <c>escape(userKey) ++ 0x00 0x00</c> sorts after every version of every smaller user key and
/// before every version of this one (no escaped key contains 0x00 0x00).
/// Stored values are one kind byte then the bytes.
/// </summary>
internal static class MvccKey
{
    public const int TimestampSize = 8;
    public const byte KindTombstone = 0;
    public const byte KindValue = 1;

    public static int PrefixLength(ReadOnlySpan<byte> userKey) => userKey.Length + userKey.Count((byte)0) + 2;

    public static int VersionedLength(ReadOnlySpan<byte> userKey) => PrefixLength(userKey) + TimestampSize;

    /// <summary>The longest versioned key a user key of <paramref name="userKeyLength"/> bytes can have (every byte escaped).</summary>
    public static int MaxVersionedLength(int userKeyLength) => (2 * userKeyLength) + 2 + TimestampSize;

    /// <summary>Writes <c>escape(userKey) ++ 00 00</c>; returns its length.</summary>
    public static int WritePrefix(ReadOnlySpan<byte> userKey, Span<byte> destination) => KeyCodec.WriteString(destination, userKey);

    /// <summary>Writes the versioned key of (<paramref name="userKey"/>, <paramref name="commitTs"/>); returns its length.</summary>
    public static int WriteVersioned(ReadOnlySpan<byte> userKey, ulong commitTs, Span<byte> destination)
    {
        var at = WritePrefix(userKey, destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[at..], ~commitTs);
        return at + TimestampSize;
    }

    public static ulong ReadTimestamp(ReadOnlySpan<byte> versionedKey) =>
        ~BinaryPrimitives.ReadUInt64BigEndian(versionedKey[^TimestampSize..]);

    /// <summary>The <c>escape(userKey) ++ 00 00</c> part of a versioned key.</summary>
    public static ReadOnlySpan<byte> Prefix(ReadOnlySpan<byte> versionedKey) => versionedKey[..^TimestampSize];

    /// <summary>True when <paramref name="versionedKey"/> is a version of the key whose prefix is <paramref name="prefix"/>.</summary>
    public static bool IsVersionOf(ReadOnlySpan<byte> versionedKey, ReadOnlySpan<byte> prefix) =>
        versionedKey.Length == prefix.Length + TimestampSize && versionedKey.StartsWith(prefix);

    /// <summary>Decodes the user key of a versioned key into <paramref name="destination"/>; returns its length.</summary>
    public static int DecodeUserKey(ReadOnlySpan<byte> versionedKey, Span<byte> destination)
    {
        var escaped = versionedKey[..^(TimestampSize + 2)];
        var at = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            destination[at++] = escaped[i];
            if (escaped[i] == 0)
            {
                i++; // skip the 0xFF escape
            }
        }

        return at;
    }

    /// <summary>An upper bound of the decoded user key length.</summary>
    public static int MaxUserKeyLength(ReadOnlySpan<byte> versionedKey) => versionedKey.Length - TimestampSize - 2;

    public static bool IsTombstone(ReadOnlySpan<byte> storedValue) => storedValue[0] == KindTombstone;
}
