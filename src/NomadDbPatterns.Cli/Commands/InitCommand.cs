using System.CommandLine;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db init [--preset NAME] [--name JOB] [-o FILE]</c>: writes a commented starter spec, and the JSON Schema its modeline names beside it.</summary>
internal sealed class InitCommand(CliConsole console)
{
    public Command Build()
    {
        var preset = new Option<string?>("--preset") { Description = $"Start from a preset: {string.Join(", ", PresetCatalog.Names)}" };
        var name = new Option<string?>("--name") { Description = "Job name (default: the preset name, or myservice)" };
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default: <name>.yaml); never overwritten" };
        var command = new Command("init", "Write a commented starter spec, and nomad-db.schema.json beside it (unless there is one) for editors.\n\nExamples:\n  nomad-db init --preset vaultwarden\n  nomad-db init --name wiki -o specs/wiki.yaml")
        {
            preset, name, output,
        };
        command.SetAction(parse => Execute(parse.GetValue(preset), parse.GetValue(name), parse.GetValue(output)));
        return command;
    }

    public int Execute(string? preset, string? name, string? output)
    {
        if (preset is not null && !PresetCatalog.Names.Contains(preset))
        {
            console.Error.WriteLine($"error NDB050: unknown preset '{preset}'; known presets: {string.Join(", ", PresetCatalog.Names)}");
            return ExitCodes.InvalidInput;
        }

        var job = name ?? preset ?? "myservice";
        if (!Validation.Rules.IsName(job))
        {
            console.Error.WriteLine($"error NDB010: '{job}' is not a valid job name (lower-case letters, digits, '-' and '_')");
            return ExitCodes.InvalidInput;
        }

        var path = output ?? $"{job}.yaml";
        var text = StarterSpec.Text(job, preset);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(text);
        }
        catch (IOException) when (File.Exists(path))
        {
            console.Error.WriteLine($"error: {path} already exists; init never overwrites a spec");
            return ExitCodes.InvalidInput;
        }

        console.Info($"wrote {path}; next: nomad-db validate {path}");
        WriteSchemaBeside(path);
        if (preset is not null)
        {
            var info = PresetCatalog.Describe(preset)!;
            foreach (var line in PresetText.SecretLines(info, job))
            {
                console.Info(line);
            }

            console.Info($"The preset's notes (first-run-only settings, pitfalls): nomad-db explain preset {preset}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The JSON Schema the spec's modeline names (<c>$schema=nomad-db.schema.json</c>), beside the spec unless a file of
    /// that name is there already: editors then check and complete the spec offline.
    /// </summary>
    private void WriteSchemaBeside(string spec)
    {
        var schema = Path.Combine(Path.GetDirectoryName(spec) ?? string.Empty, SpecSchema.Kind(SpecSchema.All).FileName);
        try
        {
            using var stream = new FileStream(schema, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(SpecSchema.Json());
            console.Info($"wrote {schema}, the JSON Schema the spec's first line names (for editors)");
        }
        catch (IOException) when (File.Exists(schema))
        {
            console.Info($"kept the existing {schema} (`nomad-db schema -o {schema}` writes this version's)");
        }
    }
}

/// <summary>The starter spec text, valid as written (a test renders it).</summary>
internal static class StarterSpec
{
    public static string Text(string job, string? preset) => preset is null ? Generic(job) : FromPreset(job, preset);

    private static string FromPreset(string job, string preset)
    {
        var info = PresetCatalog.Describe(preset)!;
        var secrets = string.Concat(PresetText.SecretLines(info, job).Select(line => $"# {line}\n"));
        var postgres = info.UsesPostgres
            ? $"""
               # The dedicated PostgreSQL sidecar. The password is never written here: it is {PresetInfo.PasswordKey} in
               # nomad/jobs/{job} (see above).
               postgres:
                 version: 17
                 password:
                   nomadVar: nomad/jobs/{job}
               """
            : string.Empty;
        return $"""
            # yaml-language-server: $schema=nomad-db.schema.json
            # Starter spec for {preset} (nomad-db init). Everything the preset sets can be overridden here, or removed
            # with `~`: `nomad-db explain preset {preset}` shows its notes, `nomad-db schema` describes every key; render
            # with `nomad-db render {job}.yaml -o jobs/`.
            #
            {secrets}name: {job}
            preset: {preset}
            datacenters: [dc1]
            {postgres}
            # Scheduled, verified backups to their own host volume ({job}-backups).
            backup:
              schedule: "0 3 * * *"
              timeZone: UTC
              retention: {"{"} keepLast: 7, maxAge: 30d {"}"}

            """;
    }

    private static string Generic(string job) => $$"""
        # yaml-language-server: $schema=nomad-db.schema.json
        # Starter spec (nomad-db init): a service with its own PostgreSQL sidecar and backups.
        # `nomad-db schema` describes every key; render with `nomad-db render {{job}}.yaml -o jobs/`.
        name: {{job}}
        datacenters: [dc1]
        app:
          image: ghcr.io/example/{{job}}:1.0.0   # always pin a tag
          ports:
            - name: http
              to: 8080
          # Database settings for the app: placeholders are filled in, the password comes from the secret.
          database:
            env:
              DB_HOST: "{host}"
              DB_PORT: "{port}"
              DB_NAME: "{database}"
              DB_USER: "{user}"
              DB_PASSWORD: "{password}"
          resources: { cpu: 200, memory: 256 }
          service:
            port: http
            check: { type: http, path: /health }
        # The password is never written here: store it first, e.g.
        #   nomad var put nomad/jobs/{{job}} db_password="$(openssl rand -base64 32)"
        postgres:
          version: 17
          password:
            nomadVar: nomad/jobs/{{job}}
        backup:
          schedule: "0 3 * * *"
          timeZone: UTC
          retention: { keepLast: 7, maxAge: 30d }

        """;
}
