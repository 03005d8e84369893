namespace ThunderDb.Net.Resp;

/// <summary>What one connection may make the server hold before AUTH; its unsent output is bounded by the transport (<c>Connection.SendAsync</c>).</summary>
internal sealed partial class RespSession
{
    /// <summary>Before AUTH a client's query buffer holds at most 1 MB, as in Redis; its frames are small anyway.</summary>
    private long QueryBufferLimit => _authenticated ? _server.Options.MaxQueryBufferBytes : Math.Min(_server.Options.MaxQueryBufferBytes, 1 << 20);
}
