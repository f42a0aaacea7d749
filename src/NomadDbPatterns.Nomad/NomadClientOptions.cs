using System.Collections;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// Where and how to reach Nomad. <see cref="FromEnvironment(IDictionary)"/> reads the variables the <c>nomad</c> CLI
/// reads, so a shell set up for <c>nomad</c> works unchanged.
/// </summary>
public sealed record NomadClientOptions
{
    /// <summary>The address used when <c>NOMAD_ADDR</c> is not set (Nomad's own default).</summary>
    public static readonly Uri DefaultAddress = new("http://127.0.0.1:4646");

    /// <summary>The per-call time limit used unless <see cref="Timeout"/> is set.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Base address of the Nomad HTTP API (<c>NOMAD_ADDR</c>), http or https.</summary>
    public Uri Address { get; init; } = DefaultAddress;

    /// <summary>ACL token sent as the <c>X-Nomad-Token</c> header (<c>NOMAD_TOKEN</c>); null sends no header.</summary>
    public NomadToken? Token { get; init; }

    /// <summary>Target namespace, sent as the <c>namespace</c> query parameter (<c>NOMAD_NAMESPACE</c>).</summary>
    public string? Namespace { get; init; }

    /// <summary>Target region, sent as the <c>region</c> query parameter (<c>NOMAD_REGION</c>).</summary>
    public string? Region { get; init; }

    /// <summary>
    /// HTTP basic authentication (<c>NOMAD_HTTP_AUTH</c>, <c>user:password</c>) for a proxy in front of Nomad; null
    /// sends none.
    /// </summary>
    public NomadHttpAuth? HttpAuth { get; init; }

    /// <summary>TLS settings for an https address.</summary>
    public NomadTlsOptions Tls { get; init; } = new();

    /// <summary>Time limit for each call; a call that takes longer throws <see cref="NomadTimeoutException"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>
    /// Optional trace sink: one line per request (method, path and query, status, duration). Header values and
    /// bodies are never written to it.
    /// </summary>
    public Action<string>? Trace { get; init; }

    /// <summary>Reads the options from the current process environment.</summary>
    public static NomadClientOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariables());

    /// <summary>
    /// Reads the variables the <c>nomad</c> CLI reads (<c>api/api.go</c> <c>DefaultConfig</c>): <c>NOMAD_ADDR</c>,
    /// <c>NOMAD_TOKEN</c>, <c>NOMAD_NAMESPACE</c>, <c>NOMAD_REGION</c>, <c>NOMAD_HTTP_AUTH</c>, <c>NOMAD_CACERT</c>,
    /// <c>NOMAD_CAPATH</c>, <c>NOMAD_CLIENT_CERT</c>, <c>NOMAD_CLIENT_KEY</c>, <c>NOMAD_TLS_SERVER_NAME</c> and
    /// <c>NOMAD_SKIP_VERIFY</c> from <paramref name="environment"/> (for example
    /// <see cref="Environment.GetEnvironmentVariables()"/>). Empty values count as unset.
    /// </summary>
    /// <exception cref="NomadConfigurationException">A variable holds a value that cannot be used.</exception>
    public static NomadClientOptions FromEnvironment(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment[name] is string { Length: > 0 } value ? value.Trim() : null;

        var address = Get("NOMAD_ADDR") is { } addr ? ParseAddress(addr) : DefaultAddress;
        var token = Get("NOMAD_TOKEN") is { } secret ? new NomadToken(secret) : null;
        var skipVerify = Get("NOMAD_SKIP_VERIFY") is { } skip && ParseGoBool("NOMAD_SKIP_VERIFY", skip);

        return new NomadClientOptions
        {
            Address = address,
            Token = token,
            Namespace = Get("NOMAD_NAMESPACE"),
            Region = Get("NOMAD_REGION"),
            HttpAuth = environment["NOMAD_HTTP_AUTH"] is string { Length: > 0 } auth ? NomadHttpAuth.Parse(auth) : null,
            Tls = new NomadTlsOptions
            {
                CaCertPath = Get("NOMAD_CACERT"),
                CaPath = Get("NOMAD_CAPATH"),
                ClientCertPath = Get("NOMAD_CLIENT_CERT"),
                ClientKeyPath = Get("NOMAD_CLIENT_KEY"),
                TlsServerName = Get("NOMAD_TLS_SERVER_NAME"),
                SkipVerify = skipVerify,
            },
        };
    }

    internal static Uri ParseAddress(string value, string name = "NOMAD_ADDR")
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new NomadConfigurationException(
                $"{name} must be an absolute http:// or https:// address" +
                (value.Contains('@') ? "." : $", got '{value}'."));
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Credentials in the address would be echoed in traces and errors; Nomad takes them from NOMAD_HTTP_AUTH.
            throw new NomadConfigurationException($"{name} must not contain credentials (user:password@); use NOMAD_HTTP_AUTH.");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    // Same spellings as Go's strconv.ParseBool, which Nomad uses for NOMAD_SKIP_VERIFY. Nomad silently ignores a
    // value it cannot parse; we refuse it, because silently verifying (or not) TLS is worse than a clear error.
    internal static bool ParseGoBool(string name, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new NomadConfigurationException($"{name} must be true or false (as Go's strconv.ParseBool reads it), got '{value}'."),
    };
}

/// <summary>TLS settings for talking to Nomad over https.</summary>
public sealed record NomadTlsOptions
{
    /// <summary>PEM file of the CA (one or more certificates) that signs Nomad's certificate (<c>NOMAD_CACERT</c>).
    /// When set, only this CA is trusted, not the system store.</summary>
    public string? CaCertPath { get; init; }

    /// <summary>
    /// Directory of PEM CA files (<c>NOMAD_CAPATH</c>), read recursively like <c>go-rootcerts</c>' <c>LoadCAPath</c>;
    /// ignored when <see cref="CaCertPath"/> is set (Nomad's <c>-ca-path</c> help: "-ca-cert is used").
    /// </summary>
    public string? CaPath { get; init; }

    /// <summary>
    /// The name to send as SNI and to check the server's certificate against (<c>NOMAD_TLS_SERVER_NAME</c>), for
    /// example <c>server.global.nomad</c> when the address is an IP.
    /// </summary>
    public string? TlsServerName { get; init; }

    /// <summary>PEM client certificate for clusters that verify https clients (<c>NOMAD_CLIENT_CERT</c>).</summary>
    public string? ClientCertPath { get; init; }

    /// <summary>PEM private key of <see cref="ClientCertPath"/> (<c>NOMAD_CLIENT_KEY</c>).</summary>
    public string? ClientKeyPath { get; init; }

    /// <summary>Accept any server certificate (<c>NOMAD_SKIP_VERIFY</c>). For tests and emergencies only.</summary>
    public bool SkipVerify { get; init; }
}

/// <summary>
/// HTTP basic authentication credentials (<c>NOMAD_HTTP_AUTH</c>). Like <see cref="NomadToken"/>, its string forms
/// never show the password.
/// </summary>
public sealed class NomadHttpAuth
{
    /// <summary>Creates the credentials.</summary>
    public NomadHttpAuth(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
    }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    internal string Password { get; }

    /// <summary>
    /// Reads <c>user:password</c> or <c>user</c> the way Nomad does (<c>api/api.go</c> <c>DefaultConfig</c>: split at the
    /// first colon; without one, an empty password).
    /// </summary>
    public static NomadHttpAuth Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? new NomadHttpAuth(value, "") : new NomadHttpAuth(value[..colon], value[(colon + 1)..]);
    }

    internal string HeaderValue() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(UserName + ":" + Password));

    /// <summary>The user name and "[redacted]".</summary>
    public override string ToString() => $"{UserName}:[redacted]";
}
