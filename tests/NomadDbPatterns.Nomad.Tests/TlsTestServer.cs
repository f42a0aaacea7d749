using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>
/// A minimal HTTPS endpoint on 127.0.0.1 for TLS tests: TLS via <see cref="SslStream"/>, one canned HTTP/1.1 answer
/// per connection. Bounded in connections and lifetime; it stops by itself.
/// </summary>
internal sealed class TlsTestServer : IAsyncDisposable
{
    private const int MaxConnections = 10;
    private readonly TcpListener listener;
    private readonly X509Certificate2 serverCertificate;
    private readonly bool requireClientCertificate;
    private readonly CancellationTokenSource stop = new(TimeSpan.FromSeconds(30));
    private readonly Task loop;

    public TlsTestServer(X509Certificate2 serverCertificate, bool requireClientCertificate = false)
    {
        this.serverCertificate = serverCertificate;
        this.requireClientCertificate = requireClientCertificate;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Address = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        loop = Task.Run(ServeAsync);
    }

    public Uri Address { get; }

    /// <summary>Subject of the client certificate presented on the last successful handshake.</summary>
    public string? LastClientCertificateSubject { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await loop;
        stop.Dispose();
    }

    private async Task ServeAsync()
    {
        for (var i = 0; i < MaxConnections && !stop.IsCancellationRequested; i++)
        {
            TcpClient connection;
            try
            {
                connection = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (connection)
            {
                await AnswerAsync(connection);
            }
        }
    }

    private async Task AnswerAsync(TcpClient connection)
    {
        try
        {
            await using var tls = new SslStream(connection.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateRequired = requireClientCertificate,
                // The test only records which certificate the client presented.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => !requireClientCertificate || certificate is not null,
            }, stop.Token);
            LastClientCertificateSubject = tls.RemoteCertificate?.Subject;

            var head = new StringBuilder();
            var buffer = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16_384)
            {
                if (await tls.ReadAsync(buffer, stop.Token) == 0)
                {
                    return;
                }

                head.Append((char)buffer[0]);
            }

            var body = Fixtures.Read("job-read.json");
            var bytes = Encoding.UTF8.GetBytes(body);
            var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
            await tls.WriteAsync(Encoding.ASCII.GetBytes(header), stop.Token);
            await tls.WriteAsync(bytes, stop.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that rejects the certificate closes the handshake: that is what several tests expect.
        }
    }
}

/// <summary>Throw-away certificates made in the test: a CA and leaf certificates it signs.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Reload(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
    }

    /// <summary>A certificate for <paramref name="hostOrIp"/>, signed by <paramref name="issuer"/> or self-signed when null.</summary>
    public static X509Certificate2 CreateLeaf(string subject, string hostOrIp, X509Certificate2? issuer, X509KeyUsageFlags usage = X509KeyUsageFlags.DigitalSignature, string extendedUsageOid = "1.3.6.1.5.5.7.3.1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(hostOrIp, out var ip))
        {
            san.AddIpAddress(ip);
        }
        else
        {
            san.AddDnsName(hostOrIp);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedUsageOid)], false));

        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(7);
        if (issuer is null)
        {
            return Reload(request.CreateSelfSigned(notBefore, notAfter));
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = request.Create(issuer, notBefore, notAfter, serial);
        return Reload(signed.CopyWithPrivateKey(key));
    }

    public static string WritePem(string directory, string fileName, X509Certificate2 certificate)
    {
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    public static string WritePrivateKeyPem(string directory, string fileName, X509Certificate2 certificate)
    {
        var path = Path.Combine(directory, fileName);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("No EC key.");
        File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
        return path;
    }

    // SslStream on some platforms refuses ephemeral keys; a PKCS#12 round trip gives a persisted one.
    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        }
    }
}
