using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NomadDbPatterns.Nomad;

/// <summary>Builds the HTTP handler that applies <see cref="NomadTlsOptions"/>.</summary>
public static class NomadHttpHandlerFactory
{
    /// <summary>
    /// Creates a handler for <paramref name="tls"/>: with <see cref="NomadTlsOptions.SkipVerify"/> any server
    /// certificate is accepted; with <see cref="NomadTlsOptions.CaCertPath"/> the server must present a certificate
    /// for the requested host that chains to that CA (the system store is not consulted); otherwise the system's
    /// normal validation applies. Redirects are never followed, so the token header cannot travel to another host.
    /// </summary>
    /// <exception cref="NomadConfigurationException">A certificate or key file cannot be read.</exception>
    public static SocketsHttpHandler Create(NomadTlsOptions tls)
    {
        ArgumentNullException.ThrowIfNull(tls);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };

        if (tls.SkipVerify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (tls.CaCertPath is not null || tls.CaPath is not null)
        {
            // Nomad's -ca-path help: "If both -ca-cert and -ca-path are specified, -ca-cert is used".
            var trustedRoots = tls.CaCertPath is { } caPath ? LoadCaCertificates(caPath) : LoadCaDirectory(tls.CaPath!);
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, _, errors) => IsTrustedByCustomCa(certificate, errors, trustedRoots);
        }

        if (tls.ClientCertPath is not null || tls.ClientKeyPath is not null)
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(tls.ClientCertPath, tls.ClientKeyPath)];
        }

        if (tls.TlsServerName is { } serverName)
        {
            UseServerName(handler, serverName);
        }

        return handler;
    }

    /// <summary>
    /// NOMAD_TLS_SERVER_NAME: the TLS handshake sends <paramref name="serverName"/> as SNI and checks the certificate
    /// against it, like Go's <c>tls.Config.ServerName</c> (<c>api/api.go</c> <c>ConfigureTLS</c>); the HTTP request
    /// itself (its Host header) stays as the address says. SocketsHttpHandler takes the TLS name from the Host
    /// header only, so the connection is set up here and handed over already authenticated.
    /// </summary>
    private static void UseServerName(SocketsHttpHandler handler, string serverName)
    {
        var validation = handler.SslOptions.RemoteCertificateValidationCallback;
        var clientCertificates = handler.SslOptions.ClientCertificates;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                var network = new NetworkStream(socket, ownsSocket: true);
                if (context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps)
                {
                    return network;
                }

                var ssl = new SslStream(network, leaveInnerStreamOpen: false);
                try
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = serverName,
                        RemoteCertificateValidationCallback = validation,
                        ClientCertificates = clientCertificates,
                        ApplicationProtocols = [SslApplicationProtocol.Http11],
                    }, cancellationToken).ConfigureAwait(false);
                    return ssl;
                }
                catch
                {
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <summary>
    /// Every PEM file under <paramref name="directory"/> (recursively), as <c>hashicorp/go-rootcerts</c>'
    /// <c>LoadCAPath</c> reads NOMAD_CAPATH: a file that holds no PEM certificate is an error.
    /// </summary>
    internal static X509Certificate2Collection LoadCaDirectory(string directory)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var before = roots.Count;
                roots.ImportFromPemFile(file);
                if (roots.Count == before)
                {
                    throw new NomadConfigurationException($"NOMAD_CAPATH='{directory}': {file} contains no PEM certificate.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new NomadConfigurationException($"Cannot read the CA directory NOMAD_CAPATH='{directory}': {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new NomadConfigurationException($"NOMAD_CAPATH='{directory}' contains no PEM certificate.");
        }

        return roots;
    }

    /// <summary>
    /// The check used with a custom CA: the host name must match (that error is never forgiven) and the chain must
    /// end in one of <paramref name="trustedRoots"/>.
    /// </summary>
    internal static bool IsTrustedByCustomCa(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trustedRoots)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trustedRoots);
        // A private cluster CA rarely runs a CRL or OCSP endpoint (Nomad's own `nomad tls` CA has none).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    internal static X509Certificate2Collection LoadCaCertificates(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new NomadConfigurationException($"Cannot read the CA certificate NOMAD_CACERT='{path}': {ex.Message}", ex);
        }

        if (roots.Count == 0)
        {
            throw new NomadConfigurationException($"NOMAD_CACERT='{path}' contains no PEM certificate.");
        }

        return roots;
    }

    private static X509Certificate2 LoadClientCertificate(string? certPath, string? keyPath)
    {
        if (certPath is null || keyPath is null)
        {
            throw new NomadConfigurationException("NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY must be set together.");
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // SslStream on some platforms needs a key that is not ephemeral; a PKCS#12 round trip gives one.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            // The message names the files, never their content.
            throw new NomadConfigurationException(
                $"Cannot load the client certificate NOMAD_CLIENT_CERT='{certPath}' with key NOMAD_CLIENT_KEY='{keyPath}': {ex.Message}", ex);
        }
    }
}
