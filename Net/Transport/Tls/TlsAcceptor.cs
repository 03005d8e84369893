using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ThunderDb.Net.Transport.Tls;

/// <summary>
/// Server side of the TLS handshake for a protocol port. One instance per listener holds the certificate
/// context (chain built once, not per connection). A client that does not complete the handshake within the
/// timeout, or speaks plaintext to the TLS port, is closed with one log line; nothing else is affected.
/// </summary>
public sealed class TlsAcceptor
{
    private readonly SslServerAuthenticationOptions _options;
    private readonly TimeSpan _handshakeTimeout;

    public TlsAcceptor(X509Certificate2 certificate, TimeSpan handshakeTimeout)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        _handshakeTimeout = handshakeTimeout;
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true),
            ClientCertificateRequired = false,
            // TLS 1.2 and 1.3 only: older versions are broken and no supported client needs them.
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>Runs the handshake; the TLS connection, or null (already logged) when the client failed it.</summary>
    public async Task<ConnectionIo?> AcceptAsync(Socket socket, string protocol, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(logger);
        var remote = socket.RemoteEndPoint;
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_handshakeTimeout);
        try
        {
            await tls.AuthenticateAsServerAsync(_options, timeout.Token).ConfigureAwait(false);
            return new ConnectionIo(socket, tls);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            string reason = e is OperationCanceledException
                ? cancellationToken.IsCancellationRequested ? "server stopping" : $"no handshake within {_handshakeTimeout.TotalSeconds:0.#} s"
                : e.InnerException?.Message ?? e.Message;
            logger.LogInformation("{Protocol}: TLS handshake from {Remote} failed: {Reason}", protocol, remote, reason);
            await tls.DisposeAsync().ConfigureAwait(false);
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            socket.Dispose();
            return null;
        }
    }
}
