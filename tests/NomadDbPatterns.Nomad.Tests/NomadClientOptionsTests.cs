using System.Collections;

namespace NomadDbPatterns.Nomad.Tests;

public sealed class NomadClientOptionsTests
{
    private const string Secret = "6b1c1b6e-8f0a-4f32-9a77-2bd1e7d0c0de";

    [Test]
    public void Without_variables_uses_nomads_defaults()
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable());

        Assert.Multiple(() =>
        {
            Assert.That(options.Address, Is.EqualTo(new Uri("http://127.0.0.1:4646/")));
            Assert.That(options.Token, Is.Null);
            Assert.That(options.Namespace, Is.Null);
            Assert.That(options.Region, Is.Null);
            Assert.That(options.Tls, Is.EqualTo(new NomadTlsOptions()));
        });
    }

    [Test]
    public void Reads_every_variable()
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable
        {
            ["NOMAD_ADDR"] = "https://nomad.example.internal:4646",
            ["NOMAD_TOKEN"] = Secret,
            ["NOMAD_NAMESPACE"] = "apps",
            ["NOMAD_REGION"] = "eu",
            ["NOMAD_CACERT"] = "/etc/nomad/ca.pem",
            ["NOMAD_CLIENT_CERT"] = "/etc/nomad/cli.pem",
            ["NOMAD_CLIENT_KEY"] = "/etc/nomad/cli-key.pem",
            ["NOMAD_SKIP_VERIFY"] = "false",
            ["NOMAD_CAPATH"] = "/etc/nomad/cas",
            ["NOMAD_TLS_SERVER_NAME"] = "server.global.nomad",
            ["NOMAD_HTTP_AUTH"] = "ops:pa:ss",
        });

        Assert.Multiple(() =>
        {
            Assert.That(options.Address, Is.EqualTo(new Uri("https://nomad.example.internal:4646/")));
            Assert.That(options.Token, Is.EqualTo(new NomadToken(Secret)));
            Assert.That(options.Namespace, Is.EqualTo("apps"));
            Assert.That(options.Region, Is.EqualTo("eu"));
            Assert.That(options.Tls.CaCertPath, Is.EqualTo("/etc/nomad/ca.pem"));
            Assert.That(options.Tls.ClientCertPath, Is.EqualTo("/etc/nomad/cli.pem"));
            Assert.That(options.Tls.ClientKeyPath, Is.EqualTo("/etc/nomad/cli-key.pem"));
            Assert.That(options.Tls.SkipVerify, Is.False);
            Assert.That(options.Tls.CaPath, Is.EqualTo("/etc/nomad/cas"));
            Assert.That(options.Tls.TlsServerName, Is.EqualTo("server.global.nomad"));
            // api/api.go DefaultConfig: split at the first colon.
            Assert.That((options.HttpAuth!.UserName, options.HttpAuth.Password), Is.EqualTo(("ops", "pa:ss")));
        });
    }

    [Test]
    public void Basic_auth_without_a_colon_is_a_user_with_an_empty_password_and_never_shows_the_password()
    {
        var user = NomadHttpAuth.Parse("ops");
        var options = NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_HTTP_AUTH"] = "ops:hunter2" });

        Assert.Multiple(() =>
        {
            Assert.That((user.UserName, user.Password), Is.EqualTo(("ops", "")));
            Assert.That(options.ToString(), Does.Not.Contain("hunter2"));
            Assert.That(options.HttpAuth!.ToString(), Is.EqualTo("ops:[redacted]"));
        });
    }

    [Test]
    public void Empty_values_count_as_unset()
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_ADDR"] = "", ["NOMAD_TOKEN"] = "", ["NOMAD_NAMESPACE"] = "" });

        Assert.That((options.Address, options.Token, options.Namespace), Is.EqualTo((NomadClientOptions.DefaultAddress, (NomadToken?)null, (string?)null)));
    }

    [Test]
    public void Keeps_a_path_prefix_of_the_address_for_proxies()
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_ADDR"] = "https://proxy.example/nomad" });

        Assert.That(new Uri(options.Address, "v1/jobs").ToString(), Is.EqualTo("https://proxy.example/nomad/v1/jobs"));
    }

    [TestCase("1", true)]
    [TestCase("t", true)]
    [TestCase("TRUE", true)]
    [TestCase("True", true)]
    [TestCase("0", false)]
    [TestCase("f", false)]
    [TestCase("false", false)]
    public void Reads_skip_verify_like_go_strconv_parsebool(string value, bool expected)
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_SKIP_VERIFY"] = value });

        Assert.That(options.Tls.SkipVerify, Is.EqualTo(expected));
    }

    [TestCase("yes")]
    [TestCase("on")]
    public void Refuses_a_skip_verify_value_go_cannot_parse(string value)
    {
        var ex = Assert.Throws<NomadConfigurationException>(() => NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_SKIP_VERIFY"] = value }));

        Assert.That(ex!.Message, Does.Contain("NOMAD_SKIP_VERIFY").And.Contain(value));
    }

    [TestCase("127.0.0.1:4646")]
    [TestCase("unix:///var/run/nomad.sock")]
    [TestCase("ftp://nomad:4646")]
    public void Refuses_an_address_that_is_not_http(string value)
    {
        Assert.Throws<NomadConfigurationException>(() => NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_ADDR"] = value }));
    }

    [Test]
    public void Refuses_credentials_in_the_address_without_repeating_them()
    {
        var ex = Assert.Throws<NomadConfigurationException>(() =>
            NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_ADDR"] = "https://admin:hunter2@nomad:4646" }));

        Assert.That(ex!.Message, Does.Not.Contain("hunter2"));
    }

    [Test]
    public void The_token_never_appears_in_string_forms()
    {
        var options = NomadClientOptions.FromEnvironment(new Hashtable { ["NOMAD_TOKEN"] = Secret, ["NOMAD_NAMESPACE"] = "apps" });

        Assert.Multiple(() =>
        {
            Assert.That(options.ToString(), Does.Not.Contain(Secret).And.Contain("[redacted]").And.Contain("apps"));
            Assert.That(options.Token!.ToString(), Is.EqualTo("[redacted]"));
            Assert.That($"{options.Token}", Does.Not.Contain(Secret));
        });
    }
}
