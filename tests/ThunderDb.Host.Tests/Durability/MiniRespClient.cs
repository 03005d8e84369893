using System.Net.Sockets;
using System.Text;

namespace ThunderDb.Host.Tests.Durability;

/// <summary>
/// A deliberately tiny RESP2 client for crash tests: it must see exactly which replies arrived
/// before the server died, which a pooling/retrying client library would hide.
/// </summary>
internal sealed class MiniRespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private MiniRespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<MiniRespClient> ConnectAsync(int port, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, ct).ConfigureAwait(false);
        return new MiniRespClient(tcp);
    }

    /// <summary>Sends several commands in one write (a pipeline) without reading; read the replies with <see cref="ReadAsync"/>.</summary>
    public async Task SendPipelineAsync(CancellationToken ct, IEnumerable<string[]> commands)
    {
        var sb = new StringBuilder();
        foreach (var args in commands)
        {
            sb.Append('*').Append(args.Length).Append("\r\n");
            foreach (var a in args)
            {
                sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
            }
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), ct).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply (see <see cref="CallAsync"/> for its shape).</summary>
    public Task<object?> ReadAsync(CancellationToken ct) => ReadReplyAsync(ct);

    /// <summary>Sends one command and returns its reply: a string for simple/bulk replies, null for a nil bulk,
    /// "ERR..." text prefixed with '-' for errors, an object?[] for arrays, a long for integers.</summary>
    public async Task<object?> CallAsync(CancellationToken ct, params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        return await ReadReplyAsync(ct).ConfigureAwait(false);
    }

    private async Task<object?> ReadReplyAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        var body = line[1..];
        switch (line[0])
        {
            case '+':
                return body;
            case '-':
                return "-" + body;
            case ':':
                return long.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
            case '$':
                {
                    var len = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                    if (len < 0)
                    {
                        return null;
                    }

                    var data = await ReadExactAsync(len + 2, ct).ConfigureAwait(false);
                    return Encoding.UTF8.GetString(data, 0, len);
                }

            case '*':
                {
                    var n = int.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return null;
                    }

                    var items = new object?[n];
                    for (var i = 0; i < n; i++)
                    {
                        items[i] = await ReadReplyAsync(ct).ConfigureAwait(false);
                    }

                    return items;
                }

            default:
                throw new InvalidDataException("unexpected RESP reply: " + line);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            for (var i = _start; i + 1 < _end; i++)
            {
                if (_buffer[i] == '\r' && _buffer[i + 1] == '\n')
                {
                    var s = Encoding.UTF8.GetString(_buffer, _start, i - _start);
                    _start = i + 2;
                    return s;
                }
            }

            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                await FillAsync(ct).ConfigureAwait(false);
            }

            var n = Math.Min(count - copied, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }

        return result;
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("reply larger than the test client's buffer");
        }

        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException("connection closed by the server");
        }

        _end += n;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
    }
}
