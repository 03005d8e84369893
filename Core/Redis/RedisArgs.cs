namespace ThunderDb.Core.Redis;

/// <summary>One argument of a parsed command: a slice of the buffer the command was parsed from.</summary>
public struct ArgSlice
{
    public int Offset;
    public int Length;

    public ArgSlice(int offset, int length)
    {
        Offset = offset;
        Length = length;
    }
}

/// <summary>
/// A run of command arguments as slices of one buffer, read in place (no copies): the RESP parser's receive buffer,
/// a MULTI queue's copy, or a script engine's argument array. Operations that take a variable number of members or
/// field/value pairs take one of these.
/// </summary>
public readonly ref struct RedisArgs
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly ReadOnlySpan<ArgSlice> _slices;

    public RedisArgs(ReadOnlySpan<byte> buffer, ReadOnlySpan<ArgSlice> slices)
    {
        _buffer = buffer;
        _slices = slices;
    }

    public int Count => _slices.Length;

    public ReadOnlySpan<byte> this[int index] => _buffer.Slice(_slices[index].Offset, _slices[index].Length);

    /// <summary>The arguments from <paramref name="start"/> on.</summary>
    public RedisArgs Slice(int start) => new(_buffer, _slices[start..]);

    /// <summary><paramref name="length"/> arguments from <paramref name="start"/>.</summary>
    public RedisArgs Slice(int start, int length) => new(_buffer, _slices.Slice(start, length));
}
