using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Host.Admin;

/// <summary>
/// Kestrel connection middleware for the admin port when TLS is on: a connection whose first byte is a TLS
/// handshake record (0x16) is served over TLS, any other is served as plain HTTP. The runbook's operators
/// and Kubernetes probes use <c>http://host:8080</c> on TLS-enabled servers, while clients that want
/// encryption use <c>https://</c> on the same port (as PostgreSQL and MySQL negotiate TLS on theirs).
/// </summary>
internal sealed class OptionalTlsConnection
{
    private const byte TlsHandshakeRecord = 0x16;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConnectionDelegate _next;
    private readonly SslServerAuthenticationOptions _options;
    private readonly ILogger _logger;

    private OptionalTlsConnection(ConnectionDelegate next, X509Certificate2 certificate, ILogger logger)
    {
        _next = next;
        _logger = logger;
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public static Func<ConnectionDelegate, ConnectionDelegate> Create(X509Certificate2 certificate, ILogger logger) =>
        next => new OptionalTlsConnection(next, certificate, logger).HandleAsync;

    private async Task HandleAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        ReadResult first = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
        bool tls = !first.Buffer.IsEmpty && first.Buffer.FirstSpan[0] == TlsHandshakeRecord;
        input.AdvanceTo(first.Buffer.Start, first.Buffer.Start); // peeked only: the byte is read again below
        if (!tls)
        {
            await _next(connection).ConfigureAwait(false);
            return;
        }

        IDuplexPipe plain = connection.Transport;
        var ssl = new SslStream(new DuplexPipeStream(plain), leaveInnerStreamOpen: true);
        await using (ssl.ConfigureAwait(false))
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed))
            {
                timeout.CancelAfter(HandshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsServerAsync(_options, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
                {
                    _logger.LogInformation("http: TLS handshake from {Remote} failed: {Reason}", connection.RemoteEndPoint,
                        e is OperationCanceledException ? "no handshake within 10 s" : e.InnerException?.Message ?? e.Message);
                    return;
                }
            }

            var reader = PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true));
            var writer = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
            connection.Transport = new TlsPipe(reader, writer);
            try
            {
                await _next(connection).ConfigureAwait(false);
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                await writer.CompleteAsync().ConfigureAwait(false);
                connection.Transport = plain;
            }
        }
    }

    private sealed class TlsPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>The connection's raw pipes as the one stream SslStream reads and writes.</summary>
    private sealed class DuplexPipeStream(IDuplexPipe pipe) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                ReadResult r = await pipe.Input.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> data = r.Buffer;
                if (!data.IsEmpty)
                {
                    int n = (int)Math.Min(data.Length, buffer.Length);
                    data.Slice(0, n).CopyTo(buffer.Span);
                    pipe.Input.AdvanceTo(data.GetPosition(n));
                    return n;
                }

                pipe.Input.AdvanceTo(data.End);
                if (r.IsCompleted || r.IsCanceled)
                {
                    return 0;
                }
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            FlushResult r = await pipe.Output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (r.IsCompleted)
            {
                throw new IOException("the connection was closed");
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous I/O only");

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous I/O only");

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
