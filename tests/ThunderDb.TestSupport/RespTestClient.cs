using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ThunderDb.TestSupport;

/// <summary>
/// A deliberately small RESP client for tests: one connection, no pooling and no retries, so a test sees exactly which
/// replies arrived (before a crash, in a pipeline, after a kill) and every reply type distinct (bulk vs simple, RESP3
/// doubles, maps...), which a client library would hide.
/// </summary>
public sealed class RespTestClient : IDisposable
{
    /// <summary>How long <see cref="CallAsync(string[], CancellationToken)"/> waits for a reply.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly string _name;
    private readonly Encoding _encoding;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespTestClient(TcpClient tcp, string name, Encoding encoding)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _name = name;
        _encoding = encoding;
    }

    public static Task<RespTestClient> ConnectAsync(int port, CancellationToken ct) => ConnectAsync(port, "client", ct);

    /// <param name="name">Names the client in a timeout's message.</param>
    /// <param name="encoding">How arguments and replies become text: UTF-8 by default; Latin-1 round-trips any byte.</param>
    public static async Task<RespTestClient> ConnectAsync(int port, string name, CancellationToken ct, Encoding? encoding = null)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, ct).ConfigureAwait(false);
        return new RespTestClient(tcp, name, encoding ?? Encoding.UTF8);
    }

    /// <summary>Sends one command and reads its reply, failing with a <see cref="TimeoutException"/> after <see cref="CallTimeout"/>.</summary>
    public async Task<RespReply> CallAsync(string[] args, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        try
        {
            await SendPipelineAsync(timeout.Token, [args]).ConfigureAwait(false);
            return await ReadReplyAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{_name}: no reply within {CallTimeout} to: {string.Join(' ', args)}");
        }
    }

    /// <summary>Sends one command and returns its reply as plain values (<see cref="RespReply.ToValue"/>); waits as long as <paramref name="ct"/> allows.</summary>
    public async Task<object?> CallAsync(CancellationToken ct, params string[] args)
    {
        await SendPipelineAsync(ct, [args]).ConfigureAwait(false);
        return await ReadAsync(ct).ConfigureAwait(false);
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
                sb.Append('$').Append(_encoding.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
            }
        }

        await _stream.WriteAsync(_encoding.GetBytes(sb.ToString()), ct).ConfigureAwait(false);
    }

    /// <summary>Reads the next reply as plain values (<see cref="RespReply.ToValue"/>).</summary>
    public async Task<object?> ReadAsync(CancellationToken ct) => (await ReadReplyAsync(ct).ConfigureAwait(false)).ToValue();

    /// <summary>Reads the next reply.</summary>
    public async Task<RespReply> ReadReplyAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        var kind = line[0];
        var body = line[1..];
        switch (kind)
        {
            case '+' or '-' or ':' or ',' or '#' or '(':
                return new RespReply(kind, body, null);
            case '_':
                return new RespReply(kind, null, null);
            case '$' or '=' or '!':
                {
                    var len = int.Parse(body, CultureInfo.InvariantCulture);
                    if (len < 0)
                    {
                        return new RespReply(kind, null, null);
                    }

                    var data = await ReadExactAsync(len + 2, ct).ConfigureAwait(false);
                    return new RespReply(kind, _encoding.GetString(data, 0, len), null);
                }

            case '*' or '~' or '>' or '%' or '|':
                {
                    var n = int.Parse(body, CultureInfo.InvariantCulture);
                    if (n < 0)
                    {
                        return new RespReply(kind, null, null);
                    }

                    var count = kind is '%' or '|' ? n * 2 : n;
                    var items = new List<RespReply>(count);
                    for (var i = 0; i < count; i++)
                    {
                        items.Add(await ReadReplyAsync(ct).ConfigureAwait(false));
                    }

                    return new RespReply(kind, body, items);
                }

            default:
                throw new InvalidDataException("unexpected RESP reply line: " + line);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var scanned = _start;
        while (true)
        {
            for (var i = scanned; i + 1 < _end; i++)
            {
                if (_buffer[i] == '\r' && _buffer[i + 1] == '\n')
                {
                    var s = _encoding.GetString(_buffer, _start, i - _start);
                    _start = i + 2;
                    return s;
                }
            }

            scanned = Math.Max(_start, _end - 1);
            var shift = _start;
            await FillAsync(ct).ConfigureAwait(false);
            scanned -= shift - _start;
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
            Array.Resize(ref _buffer, _buffer.Length * 2);
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
