using System.Collections;
using System.CommandLine;
using NomadDbPatterns.Nomad;
using NomadDbPatterns.Validation;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>
/// The options of every command that talks to Nomad, named like the nomad CLI's general options
/// (<c>command/meta.go</c> <c>FlagSet</c>: <c>-address</c>, <c>-token</c>, …) in this CLI's <c>--long</c> style. Each
/// overrides its <c>NOMAD_*</c> variable (<c>api/api.go</c> <c>DefaultConfig</c>), as in the nomad CLI.
/// </summary>
internal sealed class NomadConnection
{
    /// <summary>The variables read, in the order the help lists them.</summary>
    public const string VariablesHelp = "NOMAD_ADDR, NOMAD_TOKEN, NOMAD_NAMESPACE, NOMAD_REGION, NOMAD_HTTP_AUTH, NOMAD_CACERT, NOMAD_CAPATH, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY, NOMAD_TLS_SERVER_NAME, NOMAD_SKIP_VERIFY";

    private readonly Option<string?> address = new("--address") { Description = "Nomad HTTP API address (overrides NOMAD_ADDR; default http://127.0.0.1:4646)", HelpName = "URL" };
    private readonly Option<string?> token = new("--token") { Description = "ACL token secret ID (overrides NOMAD_TOKEN; prefer the variable, a flag shows in the process list); never printed", HelpName = "SECRET" };
    private readonly Option<string?> @namespace = new("--namespace") { Description = "Namespace (overrides NOMAD_NAMESPACE)", HelpName = "NAME" };
    private readonly Option<string?> region = new("--region") { Description = "Region (overrides NOMAD_REGION)", HelpName = "NAME" };
    private readonly Option<string?> caCert = new("--ca-cert") { Description = "PEM CA file that signs Nomad's certificate (overrides NOMAD_CACERT)", HelpName = "FILE" };
    private readonly Option<string?> caPath = new("--ca-path") { Description = "Directory of PEM CA files (overrides NOMAD_CAPATH; --ca-cert wins when both are set)", HelpName = "DIR" };
    private readonly Option<string?> clientCert = new("--client-cert") { Description = "PEM client certificate (overrides NOMAD_CLIENT_CERT)", HelpName = "FILE" };
    private readonly Option<string?> clientKey = new("--client-key") { Description = "PEM key of the client certificate (overrides NOMAD_CLIENT_KEY)", HelpName = "FILE" };
    private readonly Option<string?> tlsServerName = new("--tls-server-name") { Description = "Name for SNI and certificate checks, e.g. server.global.nomad (overrides NOMAD_TLS_SERVER_NAME)", HelpName = "NAME" };
    private readonly Option<bool> tlsSkipVerify = new("--tls-skip-verify") { Description = "Do not verify Nomad's certificate (as NOMAD_SKIP_VERIFY=true); for emergencies only" };
    private readonly Option<string> httpTimeout = new("--http-timeout")
    {
        Description = "Time limit of each HTTP request, a Go duration (blocking queries get their wait on top)",
        HelpName = "DURATION",
        DefaultValueFactory = _ => "60s",
    };

    /// <summary>Environment used to configure the Nomad client (tests replace it).</summary>
    public static Func<IDictionary> Environment { get; set; } = global::System.Environment.GetEnvironmentVariables;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { address, token, @namespace, region, caCert, caPath, clientCert, clientKey, tlsServerName, tlsSkipVerify, httpTimeout })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The client options: the <c>NOMAD_*</c> variables, then the flags over them.</summary>
    /// <exception cref="NomadConfigurationException">A variable or flag holds a value that cannot be used.</exception>
    public NomadClientOptions Resolve(ParseResult parse, CliConsole console)
    {
        var options = NomadClientOptions.FromEnvironment(Environment());
        var timeoutText = parse.GetValue(httpTimeout) ?? "60s";
        if (!Rules.TryParseDuration(timeoutText, out var timeout) || timeout <= TimeSpan.Zero)
        {
            throw new NomadConfigurationException($"--http-timeout must be a positive Go duration such as 30s or 2m, got '{timeoutText}'.");
        }

        var tls = options.Tls with
        {
            CaCertPath = parse.GetValue(caCert) ?? options.Tls.CaCertPath,
            CaPath = parse.GetValue(caPath) ?? options.Tls.CaPath,
            ClientCertPath = parse.GetValue(clientCert) ?? options.Tls.ClientCertPath,
            ClientKeyPath = parse.GetValue(clientKey) ?? options.Tls.ClientKeyPath,
            TlsServerName = parse.GetValue(tlsServerName) ?? options.Tls.TlsServerName,
            SkipVerify = parse.GetValue(tlsSkipVerify) || options.Tls.SkipVerify,
        };

        return options with
        {
            Address = parse.GetValue(address) is { Length: > 0 } addr ? NomadClientOptions.ParseAddress(addr, "--address") : options.Address,
            Token = parse.GetValue(token) is { Length: > 0 } secret ? new NomadToken(secret) : options.Token,
            Namespace = parse.GetValue(@namespace) is { Length: > 0 } ns ? ns : options.Namespace,
            Region = parse.GetValue(region) is { Length: > 0 } r ? r : options.Region,
            Tls = tls,
            Timeout = timeout,
            Trace = console.Verbose ? line => console.Error.WriteLine("nomad: " + line) : null,
        };
    }

    /// <summary>A client for the resolved options.</summary>
    public NomadClient Client(ParseResult parse, CliConsole console) => new(Resolve(parse, console));
}
