using System.Net.Security;
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
        else if (tls.CaCertPath is { } caPath)
        {
            var trustedRoots = LoadCaCertificates(caPath);
            handler.SslOptions.RemoteCertificateValidationCallback =
                (_, certificate, _, errors) => IsTrustedByCustomCa(certificate, errors, trustedRoots);
        }

        if (tls.ClientCertPath is not null || tls.ClientKeyPath is not null)
        {
            handler.SslOptions.ClientCertificates = [LoadClientCertificate(tls.ClientCertPath, tls.ClientKeyPath)];
        }

        return handler;
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
