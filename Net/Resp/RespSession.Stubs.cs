using ThunderDb.Core.Kv;

namespace ThunderDb.Net.Resp;

internal sealed partial class RespSession
{
    private void ExecuteHash(CommandId id) => throw Error($"ERR '{id}' is not supported yet");

    private void ExecuteList(CommandId id) => throw Error($"ERR '{id}' is not supported yet");

    private void ExecuteSet(CommandId id) => throw Error($"ERR '{id}' is not supported yet");

    private void ExecuteSortedSet(CommandId id) => throw Error($"ERR '{id}' is not supported yet");

    private RedisType GetList(ReadOnlySpan<byte> key, out KeyMeta meta) => Find(key, RedisType.List, out meta);

    private void ListMove(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool fromLeft, bool toLeft) => throw Error("ERR not supported yet");

    private void PopOne(ReadOnlySpan<byte> key, ref KeyMeta meta, bool left, bool writeReply) => throw Error("ERR not supported yet");
}
