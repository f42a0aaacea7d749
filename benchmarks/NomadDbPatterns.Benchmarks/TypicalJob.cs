using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// The job every render benchmark uses, equivalent to the Go text/template anchor's: app + PostgreSQL sidecar +
/// readiness gate + backup sidecar, two host volumes, an env template and secret templates. It is
/// examples/myservice.yaml with the name varied, read through the real spec loader and validator.
/// </summary>
public static class TypicalJob
{
    /// <summary>How many distinct models the loops cycle through (the anchor cycles through 100 as well).</summary>
    public const int ModelCount = 100;

    public static string Yaml(string name) => $$"""
        name: {{name}}
        datacenters: [dc1]
        app:
          image: ghcr.io/example/{{name}}:1.4.2
          ports:
            - name: http
              to: 8080
          database:
            env:
              DB_HOST: "{host}"
              DB_PORT: "{port}"
              DB_DATABASE: "{database}"
              DB_USERNAME: "{user}"
              DB_PASSWORD: "{password}"
          resources: { cpu: 200, memory: 256 }
          service:
            port: http
            check: { type: http, path: /health }
        postgres:
          version: 17
          password:
            nomadVar: nomad/jobs/{{name}}
        backup:
          schedule: "30 2 * * *"
          timeZone: Europe/Berlin
          retention: { keepLast: 7, maxAge: 30d }
          verify: restore

        """;

    public static string SourceName(string name) => $"specs/{name}.yaml";

    /// <summary>Loads and validates one model; throws when the spec is not valid (a benchmark of invalid input measures nothing).</summary>
    public static ServiceJob Load(string name)
    {
        var loaded = SpecLoader.LoadText(Yaml(name), SourceName(name));
        var diagnostics = loaded.Diagnostics.Concat(NomadDb.Validate(loaded.Jobs)).Where(d => d.Severity == Validation.Severity.Error).ToList();
        if (diagnostics.Count > 0 || loaded.Jobs.Count != 1)
        {
            throw new InvalidOperationException($"The typical job spec is invalid: {string.Join("; ", diagnostics)}");
        }

        return loaded.Jobs[0].Job;
    }

    public static (ServiceJob Job, string Source)[] Models() =>
        [.. Enumerable.Range(0, ModelCount).Select(i => $"svc{i}").Select(name => (Load(name), SourceName(name)))];
}
