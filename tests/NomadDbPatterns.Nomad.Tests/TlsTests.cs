using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace NomadDbPatterns.Nomad.Tests;

public sealed class TlsTests
{
    private static X509Certificate2 ca = null!;
    private static X509Certificate2 otherCa = null!;
    private string directory = null!;

    [OneTimeSetUp]
    public void MakeCertificateAuthorities()
    {
        ca = TestCertificates.CreateCa("Nomad Test CA");
        otherCa = TestCertificates.CreateCa("Some Other CA");
    }

    [OneTimeTearDown]
    public void DisposeCertificateAuthorities()
    {
        ca.Dispose();
        otherCa.Dispose();
    }

    [SetUp]
    public void MakeDirectory() => directory = Directory.CreateTempSubdirectory("nomad-tls-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(directory, recursive: true);

    [Test]
    public void By_default_the_handler_keeps_system_validation_and_follows_no_redirects()
    {
        using var handler = NomadHttpHandlerFactory.Create(new NomadTlsOptions());

        Assert.Multiple(() =>
        {
            Assert.That(handler.SslOptions.RemoteCertificateValidationCallback, Is.Null);
            Assert.That(handler.SslOptions.ClientCertificates, Is.Null);
            Assert.That(handler.AllowAutoRedirect, Is.False);
        });
    }

    [Test]
    public void Skip_verify_installs_a_callback_that_accepts_any_certificate()
    {
        using var handler = NomadHttpHandlerFactory.Create(new NomadTlsOptions { SkipVerify = true });
        using var stranger = TestCertificates.CreateLeaf("stranger", "nomad.example", issuer: null);

        var callback = handler.SslOptions.RemoteCertificateValidationCallback;

        Assert.That(callback, Is.Not.Null);
        Assert.That(callback!(this, stranger, null, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch), Is.True);
    }

    [Test]
    public void A_ca_file_installs_a_callback_that_trusts_exactly_that_ca()
    {
        var caPath = TestCertificates.WritePem(directory, "ca.pem", ca);
        using var handler = NomadHttpHandlerFactory.Create(new NomadTlsOptions { CaCertPath = caPath });
        using var signedByCa = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        using var signedByOther = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", otherCa);
        var callback = handler.SslOptions.RemoteCertificateValidationCallback!;

        Assert.Multiple(() =>
        {
            // The platform reports an unknown root as a chain error; the callback decides with the custom root.
            Assert.That(callback(this, signedByCa, null, SslPolicyErrors.RemoteCertificateChainErrors), Is.True);
            Assert.That(callback(this, signedByOther, null, SslPolicyErrors.RemoteCertificateChainErrors), Is.False);
            Assert.That(callback(this, signedByCa, null, SslPolicyErrors.RemoteCertificateNameMismatch), Is.False, "a wrong host name is never forgiven");
            Assert.That(callback(this, null, null, SslPolicyErrors.RemoteCertificateNotAvailable), Is.False);
        });
    }

    [Test]
    public void A_missing_or_empty_ca_file_is_a_configuration_error()
    {
        var empty = Path.Combine(directory, "empty.pem");
        File.WriteAllText(empty, "not a certificate\n");

        Assert.Multiple(() =>
        {
            Assert.That(() => NomadHttpHandlerFactory.Create(new NomadTlsOptions { CaCertPath = Path.Combine(directory, "missing.pem") }),
                Throws.InstanceOf<NomadConfigurationException>().With.Message.Contains("missing.pem"));
            Assert.That(() => NomadHttpHandlerFactory.Create(new NomadTlsOptions { CaCertPath = empty }),
                Throws.InstanceOf<NomadConfigurationException>().With.Message.Contains("no PEM certificate"));
        });
    }

    [Test]
    public void A_client_certificate_needs_its_key()
    {
        var certPath = TestCertificates.WritePem(directory, "cli.pem", ca);

        Assert.That(() => NomadHttpHandlerFactory.Create(new NomadTlsOptions { ClientCertPath = certPath }),
            Throws.InstanceOf<NomadConfigurationException>().With.Message.Contains("NOMAD_CLIENT_KEY"));
    }

    [Test]
    public async Task Over_https_a_certificate_from_an_unknown_ca_is_refused_by_default()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        await using var server = new TlsTestServer(leaf);
        using var client = new NomadClient(new NomadClientOptions { Address = server.Address, Timeout = TimeSpan.FromSeconds(10) });

        var ex = await Assert.ThrowsAsync<NomadConnectionException>(() => client.GetJobAsync("myservice"));

        Assert.That(ex!.Message, Does.Contain(server.Address.ToString()));
    }

    [Test]
    public async Task Over_https_nomad_cacert_makes_the_servers_certificate_trusted()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        await using var server = new TlsTestServer(leaf);
        var caPath = TestCertificates.WritePem(directory, "ca.pem", ca);
        using var client = NomadClient.FromEnvironment(new System.Collections.Hashtable
        {
            ["NOMAD_ADDR"] = server.Address.ToString(),
            ["NOMAD_CACERT"] = caPath,
        });

        var job = await client.GetJobAsync("myservice");

        Assert.That(job!["ID"]!.GetValue<string>(), Is.EqualTo("myservice"));
    }

    [Test]
    public async Task Over_https_nomad_cacert_of_another_ca_is_refused()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        await using var server = new TlsTestServer(leaf);
        var otherPath = TestCertificates.WritePem(directory, "other.pem", otherCa);
        using var client = new NomadClient(new NomadClientOptions
        {
            Address = server.Address,
            Tls = new NomadTlsOptions { CaCertPath = otherPath },
            Timeout = TimeSpan.FromSeconds(10),
        });

        await Assert.ThrowsAsync<NomadConnectionException>(() => client.GetJobAsync("myservice"));
    }

    [Test]
    public async Task Over_https_nomad_cacert_still_checks_the_host_name()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "nomad.example", ca);
        await using var server = new TlsTestServer(leaf);
        var caPath = TestCertificates.WritePem(directory, "ca.pem", ca);
        using var client = new NomadClient(new NomadClientOptions
        {
            Address = server.Address,
            Tls = new NomadTlsOptions { CaCertPath = caPath },
            Timeout = TimeSpan.FromSeconds(10),
        });

        await Assert.ThrowsAsync<NomadConnectionException>(() => client.GetJobAsync("myservice"));
    }

    [Test]
    public async Task Over_https_nomad_skip_verify_accepts_a_self_signed_certificate()
    {
        using var selfSigned = TestCertificates.CreateLeaf("self-signed", "nomad.example", issuer: null);
        await using var server = new TlsTestServer(selfSigned);
        using var client = NomadClient.FromEnvironment(new System.Collections.Hashtable
        {
            ["NOMAD_ADDR"] = server.Address.ToString(),
            ["NOMAD_SKIP_VERIFY"] = "true",
        });

        var job = await client.GetJobAsync("myservice");

        Assert.That(job, Is.Not.Null);
    }

    [Test]
    public async Task Over_https_the_client_certificate_is_presented()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        using var clientCert = TestCertificates.CreateLeaf("cli.global.nomad", "localhost", ca,
            X509KeyUsageFlags.DigitalSignature, extendedUsageOid: "1.3.6.1.5.5.7.3.2");
        await using var server = new TlsTestServer(leaf, requireClientCertificate: true);
        using var client = NomadClient.FromEnvironment(new System.Collections.Hashtable
        {
            ["NOMAD_ADDR"] = server.Address.ToString(),
            ["NOMAD_CACERT"] = TestCertificates.WritePem(directory, "ca.pem", ca),
            ["NOMAD_CLIENT_CERT"] = TestCertificates.WritePem(directory, "cli.pem", clientCert),
            ["NOMAD_CLIENT_KEY"] = TestCertificates.WritePrivateKeyPem(directory, "cli-key.pem", clientCert),
        });

        await client.GetJobAsync("myservice");

        Assert.That(server.LastClientCertificateSubject, Is.EqualTo("CN=cli.global.nomad"));
    }

    [Test]
    public async Task Over_https_nomad_capath_trusts_the_cas_in_a_directory()
    {
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "127.0.0.1", ca);
        await using var server = new TlsTestServer(leaf);
        var cas = Directory.CreateDirectory(Path.Combine(directory, "cas")).FullName;
        TestCertificates.WritePem(Directory.CreateDirectory(Path.Combine(cas, "nested")).FullName, "ca.pem", ca);
        TestCertificates.WritePem(cas, "other.pem", otherCa);
        using var client = NomadClient.FromEnvironment(new System.Collections.Hashtable
        {
            ["NOMAD_ADDR"] = server.Address.ToString(),
            ["NOMAD_CAPATH"] = cas,
        });

        var job = await client.GetJobAsync("myservice");

        Assert.That(job, Is.Not.Null);
    }

    [Test]
    public void A_capath_file_without_a_certificate_is_a_configuration_error()
    {
        var cas = Directory.CreateDirectory(Path.Combine(directory, "cas")).FullName;
        File.WriteAllText(Path.Combine(cas, "README"), "not a certificate\n");

        Assert.That(() => NomadHttpHandlerFactory.Create(new NomadTlsOptions { CaPath = cas }),
            Throws.InstanceOf<NomadConfigurationException>().With.Message.Contains("README"));
    }

    [Test]
    public async Task Over_https_nomad_tls_server_name_checks_the_certificate_against_that_name()
    {
        // The certificate names server.global.nomad only; the address is an IP (command/meta.go -tls-server-name).
        using var leaf = TestCertificates.CreateLeaf("server.global.nomad", "server.global.nomad", ca);
        await using var server = new TlsTestServer(leaf);
        var caPath = TestCertificates.WritePem(directory, "ca.pem", ca);
        NomadClient Client(string? serverName) => new(new NomadClientOptions
        {
            Address = server.Address,
            Tls = new NomadTlsOptions { CaCertPath = caPath, TlsServerName = serverName },
            Timeout = TimeSpan.FromSeconds(10),
        });

        using var named = Client("server.global.nomad");
        using var unnamed = Client(null);
        using var misnamed = Client("client.global.nomad");

        await Assert.MultipleAsync(async () =>
        {
            await Assert.DoesNotThrowAsync(() => named.GetJobAsync("myservice"));
            await Assert.ThrowsAsync<NomadConnectionException>(() => unnamed.GetJobAsync("myservice"));
            await Assert.ThrowsAsync<NomadConnectionException>(() => misnamed.GetJobAsync("myservice"));
        });
    }
}
