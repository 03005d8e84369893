using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Net.Resp;

/// <summary>What one connection may make the server hold: its query buffer before AUTH, and its unsent output.</summary>
internal sealed partial class RespSession
{
    private int _outputLimitHit;

    /// <summary>Before AUTH a client's query buffer holds at most 1 MB, as in Redis; its frames are small anyway.</summary>
    private long QueryBufferLimit => _authenticated ? _server.Options.MaxQueryBufferBytes : Math.Min(_server.Options.MaxQueryBufferBytes, 1 << 20);

    /// <summary>
    /// Sends the part of a reply batch above the normal class's soft limit; a client that leaves it unread for longer
    /// than the soft seconds is closed. Returns what is left to send.
    /// </summary>
    private async ValueTask<ReadOnlyMemory<byte>> SendAboveSoftLimitAsync(ReadOnlyMemory<byte> data, OutputLimit limit)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_connection.Killed);
        deadline.CancelAfter(TimeSpan.FromSeconds(limit.SoftSeconds) + TimeSpan.FromMilliseconds(1));
        try
        {
            while (data.Length >= limit.SoftBytes)
            {
                ReadOnlyMemory<byte> chunk = data[..Math.Min(data.Length, 64 * 1024)];
                await _io.SendAsync(chunk, deadline.Token).ConfigureAwait(false);
                data = data[chunk.Length..];
            }
        }
        catch (OperationCanceledException) when (!_connection.Killed.IsCancellationRequested)
        {
            throw new OutputLimitExceededException(
                $"normal: {data.Length} bytes of replies unread for {limit.SoftSeconds} s, soft limit {limit.SoftBytes} bytes");
        }

        return data;
    }

    /// <summary>Closes this connection for passing an output limit, with one warning line that names the client.</summary>
    private void CloseForOutputLimit(string detail)
    {
        if (Interlocked.Exchange(ref _outputLimitHit, 1) == 0)
        {
            _server.Logger.LogWarning("Client id={Id} addr={Remote} name={Name} closed for overcoming of output buffer limits ({Detail})",
                _connection.Id, _connection.Remote, _connection.Name ?? "", detail);
        }

        _connection.Kill();
    }
}
