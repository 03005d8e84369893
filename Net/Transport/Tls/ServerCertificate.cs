using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ThunderDb.Net.Transport.Tls;

/// <summary>A configured certificate could not be used; the message names the file and the reason.</summary>
public sealed class ServerCertificateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The one loader of the server's TLS certificate (PEM certificate chain + PEM private key), used by
/// every TLS endpoint: the admin HTTP port, RESP, and later PostgreSQL's SSLRequest and MySQL's SSL
/// capability. Loaded once at startup so a bad file stops the server before anything listens.
/// </summary>
public static class ServerCertificate
{
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        Readable(certPath, "certificate");
        Readable(keyPath, "private key");
        X509Certificate2 pem;
        try
        {
            pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (CryptographicException e)
        {
            throw new ServerCertificateException(
                $"TLS certificate '{certPath}' with key '{keyPath}' cannot be used: {e.Message} (both files must be PEM; the key must match the certificate)", e);
        }
        catch (ArgumentException e)
        {
            throw new ServerCertificateException($"TLS certificate '{certPath}' or key '{keyPath}' holds no PEM block of the expected kind: {e.Message}", e);
        }

        using (pem)
        {
            if (!pem.HasPrivateKey)
            {
                throw new ServerCertificateException($"TLS key '{keyPath}' does not match certificate '{certPath}'");
            }

            // An ephemeral PEM key cannot be used by SslStream on every platform; a PKCS#12 round trip
            // gives the certificate a key that the TLS stack accepts.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
    }

    private static void Readable(string path, string what)
    {
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServerCertificateException($"TLS {what} '{path}' cannot be read: {e.Message}", e);
        }
    }
}
