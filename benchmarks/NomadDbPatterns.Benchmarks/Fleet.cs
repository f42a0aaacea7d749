using System.Globalization;

namespace NomadDbPatterns.Benchmarks;

/// <summary>
/// Generates a valid fleet of spec files: a rotation of shapes (the typical job, Vault + interval backups, a
/// periodic backup job, SQLite, a preset) with unique names, volumes and services, and a spread of cron schedules.
/// </summary>
public static class Fleet
{
    public static void Write(string directory, int count)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory);
        for (var i = 0; i < count; i++)
        {
            var name = $"svc{i.ToString("D5", CultureInfo.InvariantCulture)}";
            // Two levels, as real fleets are grouped (and so that no directory holds 10,000 files).
            var folder = Path.Combine(directory, $"team{i % 20:D2}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"{name}.yaml"), Spec(i, name));
        }
    }

    public static string Spec(int index, string name)
    {
        var minute = (index % 60).ToString(CultureInfo.InvariantCulture);
        return (index % 5) switch
        {
            0 => TypicalJob.Yaml(name).Replace("\"30 2 * * *\"", $"\"{minute} 2 * * *\"", StringComparison.Ordinal),
            1 => $$"""
                name: {{name}}
                datacenters: [dc1, dc2]
                app:
                  image: ghcr.io/example/{{name}}:2.0.1
                  ports: [{ name: http, to: 3000 }]
                  env: { LOG_LEVEL: info, FEATURE_X: "true" }
                  database:
                    env:
                      DB_TYPE: postgres
                      DB_HOST: "{host}"
                      DB_PORT: "{port}"
                      DB_NAME: "{database}"
                      DB_USER: "{user}"
                      DB_PASS: "{password}"
                  resources: { cpu: 300, memory: 384, memoryMax: 768 }
                  service: { port: http, provider: consul, tags: [traefik.enable=true], check: { type: http, path: /healthz } }
                postgres:
                  version: 16
                  shmSize: 128MB
                  settings: { max_connections: "40", shared_buffers: 64MB }
                  password: { vault: secret/data/postgres/{{name}} }
                backup:
                  interval: 6h
                  retention: { keepLast: 12 }
                  format: plain-gzip

                """,
            2 => $$"""
                name: {{name}}
                app:
                  image: ghcr.io/example/{{name}}:0.9.0
                  ports: [{ name: web, to: 8000 }]
                  database:
                    env:
                      DATABASE_URL: "postgresql://{user}:{passwordUrlEncoded}@{address}/{database}?sslmode=disable"
                    passwordFile: true
                  service: { port: web, check: { type: tcp } }
                  volumes: [{ name: media, source: {{name}}-media, destination: /media }]
                postgres:
                  version: 18
                  password: { nomadVar: nomad/jobs/{{name}} }
                backup:
                  schedule: "{{minute}} 3 * * 1-5"
                  retention: { keepLast: 14, maxAge: 30d }
                  placement: periodic

                """,
            3 => $$"""
                name: {{name}}
                app:
                  image: louislam/uptime-kuma:2.0.2
                  ports: [{ name: http, to: 3001 }]
                  env: { UPTIME_KUMA_DB_TYPE: sqlite }
                  service: { port: http, check: { type: tcp } }
                sqlite:
                  volume: {{name}}-data
                  destination: /app/data
                  file: kuma.db
                backup:
                  schedule: "{{minute}} * * * *"
                  retention: { keepLast: 48, maxAge: 7d }

                """,
            _ => $$"""
                name: {{name}}
                preset: vaultwarden
                app:
                  env: { DOMAIN: "https://{{name}}.example.org" }
                postgres:
                  password: { nomadVar: nomad/jobs/{{name}} }

                """,
        };
    }
}
