using NomadDbPatterns.Cli;

namespace NomadDbPatterns.Tests.Cli;

/// <summary>Runs nomad-db in process and captures its output.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, new CliConsole(stdout, stderr));
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A temporary directory with spec files, deleted on dispose.</summary>
internal sealed class TempSpecs : IDisposable
{
    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory("nomad-db-cli-");

    public string Specs => Path.Combine(Root.FullName, "specs");

    public string Out => Path.Combine(Root.FullName, "out");

    public string Write(string name, string yaml)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(Specs, name))!);
        var path = Path.Combine(Specs, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public static string Service(string name, string extra = "") => $"""
        name: {name}
        app:
          image: example/{name}:1.0
          ports:
            - name: http
              to: 8080
          service:
            port: http
            check: {"{"} type: http, path: /health {"}"}
        postgres:
          password:
            nomadVar: nomad/jobs/{name}
        {extra}
        """;

    public void Dispose() => Root.Delete(recursive: true);
}
