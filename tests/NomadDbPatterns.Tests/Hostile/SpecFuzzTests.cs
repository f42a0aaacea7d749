using System.Text;
using NomadDbPatterns.Rendering;
using NomadDbPatterns.Spec;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Hostile;

/// <summary>
/// Feeds the YAML loader random and mutated specs (mutations of examples/*.yaml and of the presets) for a fixed number
/// of inputs: load, map, validate (job, shared instance, fleet), and render the valid ones. Nothing may escape but
/// diagnostics: no exception, no internal error, every diagnostic one line in the fuzzed file with a code.
/// The seed is printed; rerun one with <c>NOMAD_DB_FUZZ_SEED=&lt;seed&gt;</c>
/// (and <c>NOMAD_DB_FUZZ_INPUTS=&lt;count&gt;</c> for a longer run).
/// </summary>
[TestFixture]
public sealed class SpecFuzzTests
{
    /// <summary>The budget: a count, not a time (NOMAD_DB_FUZZ_INPUTS overrides it for a longer local run).</summary>
    private static readonly int Inputs = Environment.GetEnvironmentVariable("NOMAD_DB_FUZZ_INPUTS") is { Length: > 0 } count
        ? int.Parse(count, System.Globalization.CultureInfo.InvariantCulture)
        : 5000;
    private const string FileName = "fuzz.yaml";

    private static readonly string[] Hostile =
    [
        "\0", "\u001b[2J", "\r", "\n", "\t", "\u2028", "\u202e", "\ufeff", "\u0085", "{{", "}}", "{{ env \"HOME\" }}", "${", "%{", "$${x}", "\"", "'",
        "\\", ":", ": ", "- ", "#", "&a ", "*a", "*missing", "!!binary ", "!!int ", "? ", "|", ">", "[", "]", "{", "}", ",", "---\n", "...\n",
        "999999999d", "99999999999999999999", "-1", "0", "9223372036854775807", "1e308", "NaN", ".inf", "~", "null", "true", "yes",
        "0 3 30 2 *", "@reboot", "*/0 * * * *", "60 24 32 13 8", "999999999999h", "1ms", "2048GB", "99999999999999999999GB",
        "secret/data/../x", "nomad/jobs/", "hunter2", "postgresql://u:hunter2@h/db", "{password}", "{passwordUrlEncoded}", "{nope}",
        "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "hvs.CAESIJlU9JMYEhOPYv4igdhm9PnK", "é", "😀", "日本語", "\ud800", "\udc00",
    ];

    private static readonly string[] Keys =
    [
        "name", "kind", "preset", "datacenters", "namespace", "region", "nodePool", "priority", "constraints", "network", "update", "app",
        "postgres", "sqlite", "backup", "image", "command", "args", "user", "ports", "env", "database", "passwordFile", "resources", "service",
        "volumes", "templates", "version", "variant", "password", "nomadVar", "vault", "role", "key", "port", "shmSize", "settings", "volume",
        "upgradeFrom", "schedule", "interval", "timeZone", "retention", "keepLast", "maxAge", "format", "verify", "placement", "jobs",
        "adminPassword", "databases", "baseline", "allowNewDatabases", "owner", "minHealthyTime", "healthyDeadline", "maxParallel", "check",
        "path", "timeout", "type", "tags", "destination", "data", "to", "static", "cpu", "memory", "memoryMax", "readOnly", "shared",
        "extensions", "initSql", "initSqlFile",
    ];

    private static readonly string[] Presets = ["vaultwarden", "gitea", "grafana", "authelia", "freshrss", "nextcloud", "speedtest-tracker", "uptime-kuma", "nope"];

    [Test]
    public void Random_and_mutated_specs_yield_diagnostics_never_exceptions()
    {
        var seed = Environment.GetEnvironmentVariable("NOMAD_DB_FUZZ_SEED") is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        TestContext.Progress.WriteLine($"SpecFuzzTests seed: {seed} (rerun with NOMAD_DB_FUZZ_SEED={seed}); {Inputs} inputs");
        var random = new Random(seed);
        var corpus = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "examples"), "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllText)
            .Concat(PresetCatalog.Names.Select(n => $"name: {n}\n" + PresetCatalog.Text(n)!.Replace("preset:\n", "x-preset:\n", StringComparison.Ordinal)))
            .ToArray();
        var rendered = 0;
        var failures = new List<string>();
        for (var i = 0; i < Inputs && failures.Count < 5; i++)
        {
            var text = (i % 10) switch
            {
                0 => RandomSpec(random, 0),
                1 => Mutate(random, Mutate(random, Mutate(random, corpus[random.Next(corpus.Length)]))),
                _ => Mutate(random, corpus[random.Next(corpus.Length)]),
            };
            try
            {
                rendered += Exercise(text, failures, i);
            }
            catch (Exception exception)
            {
                failures.Add($"input {i}: {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}\n--- input (escaped) ---\n{Escape(text)}");
            }
        }

        TestContext.Progress.WriteLine($"SpecFuzzTests: {rendered} valid inputs rendered");
        Assert.That(failures, Is.Empty, $"seed {seed} (rerun with NOMAD_DB_FUZZ_SEED={seed}):\n" + string.Join("\n\n", failures));
    }

    /// <summary>Load, validate, render; returns 1 when the input was valid and rendered.</summary>
    private static int Exercise(string text, List<string> failures, int index)
    {
        var loaded = SpecLoader.LoadText(text, FileName);
        var diagnostics = new List<Diagnostic>(loaded.Diagnostics);
        diagnostics.AddRange(NomadDb.Validate(loaded.Jobs));
        diagnostics.AddRange(NomadDb.ValidateShared(loaded.SharedInstances));
        diagnostics.AddRange(FleetValidator.Validate(loaded.Jobs, loaded.SharedInstances));
        foreach (var diagnostic in diagnostics)
        {
            var line = diagnostic.ToString();
            if (line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal) || !diagnostic.Code.StartsWith("NDB", StringComparison.Ordinal)
                || diagnostic.Location is null || diagnostic.Location.File != FileName)
            {
                failures.Add($"input {index}: malformed diagnostic: {Escape(line)}\n--- input (escaped) ---\n{Escape(text)}");
            }
        }

        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            return 0;
        }

        foreach (var job in loaded.Jobs)
        {
            _ = JobRenderer.Default.Render(job.Job, FileName);
            _ = JobRenderer.Default.Render(job.Job, FileName, JobFormat.Json);
        }

        foreach (var shared in loaded.SharedInstances)
        {
            _ = SharedPostgresRenderer.Default.Render(shared.Job, FileName);
        }

        return loaded.Jobs.Count + loaded.SharedInstances.Count > 0 ? 1 : 0;
    }

    private static string Mutate(Random random, string text)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(12))
        {
            case 0: // replace a scalar after a key with a hostile value
            case 1:
            {
                var candidates = Enumerable.Range(0, lines.Count).Where(n => lines[n].Contains(": ", StringComparison.Ordinal)).ToList();
                if (candidates.Count > 0)
                {
                    var n = candidates[random.Next(candidates.Count)];
                    var colon = lines[n].IndexOf(": ", StringComparison.Ordinal);
                    var value = Pick(random, Hostile);
                    lines[n] = lines[n][..(colon + 2)] + (random.Next(2) == 0 ? value : Quote(value));
                }

                break;
            }

            case 2: // delete a line
                if (lines.Count > 1)
                {
                    lines.RemoveAt(random.Next(lines.Count));
                }

                break;
            case 3: // duplicate a line
            {
                var n = random.Next(lines.Count);
                lines.Insert(n, lines[n]);
                break;
            }

            case 4: // re-indent a line
            {
                var n = random.Next(lines.Count);
                lines[n] = new string(' ', random.Next(0, 9)) + lines[n].TrimStart();
                break;
            }

            case 5: // insert a random key: value somewhere, often nested
            {
                var n = random.Next(lines.Count + 1);
                var indent = new string(' ', 2 * random.Next(0, 4));
                lines.Insert(n, $"{indent}{Pick(random, Keys)}: {RandomValue(random, 0)}");
                break;
            }

            case 6: // insert hostile text at a random character position
            {
                var joined = string.Join('\n', lines);
                var at = random.Next(joined.Length + 1);
                return joined[..at] + Pick(random, Hostile) + joined[at..];
            }

            case 7: // truncate
            {
                var joined = string.Join('\n', lines);
                return joined[..random.Next(joined.Length + 1)];
            }

            case 8: // swap two lines
            {
                var (a, b) = (random.Next(lines.Count), random.Next(lines.Count));
                (lines[a], lines[b]) = (lines[b], lines[a]);
                break;
            }

            case 9: // wrap the whole document under jobs:, or add a preset
                return random.Next(2) == 0
                    ? "jobs:\n  - " + string.Join("\n    ", lines)
                    : $"preset: {Pick(random, Presets)}\n" + string.Join('\n', lines);
            case 10: // deep nesting at a random line
            {
                var depth = random.Next(1, 200);
                var n = random.Next(lines.Count + 1);
                lines.Insert(n, $"{Pick(random, Keys)}: " + new string('[', depth) + new string(']', random.Next(2) == 0 ? depth : random.Next(depth + 1)));
                break;
            }

            default: // flip a character
            {
                var joined = string.Join('\n', lines).ToCharArray();
                if (joined.Length > 0)
                {
                    joined[random.Next(joined.Length)] = (char)random.Next(0, 0x80);
                }

                return new string(joined);
            }
        }

        return string.Join('\n', lines);
    }

    private static string RandomSpec(Random random, int depth)
    {
        var builder = new StringBuilder();
        if (random.Next(3) == 0)
        {
            builder.Append("name: ").Append(Pick(random, ["svc", "a", "postgresql", "Bad Name", "x"])).Append('\n');
        }

        var count = random.Next(1, 8);
        for (var i = 0; i < count; i++)
        {
            builder.Append(Pick(random, Keys)).Append(": ").Append(RandomValue(random, depth)).Append('\n');
        }

        return builder.ToString();
    }

    private static string RandomValue(Random random, int depth) => (depth > 3 ? random.Next(2) : random.Next(5)) switch
    {
        0 => Pick(random, Hostile) is var v && random.Next(2) == 0 ? Quote(v) : Pick(random, ["1", "svc", "x:1", "10s", "0 3 * * *", "nomad/jobs/svc", "/data"]),
        1 => Quote(Pick(random, Hostile) + Pick(random, Hostile)),
        2 => "{ " + string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"{Pick(random, Keys)}: {RandomValue(random, depth + 1)}")) + " }",
        3 => "[" + string.Join(", ", Enumerable.Range(0, random.Next(0, 4)).Select(_ => RandomValue(random, depth + 1))) + "]",
        _ => "{ " + Pick(random, Keys) + ": " + RandomValue(random, depth + 1) + " }",
    };

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    /// <summary>A YAML double-quoted scalar (escapes for backslash, quote and controls).</summary>
    private static string Quote(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when c < ' ' || char.IsSurrogate(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder();
        foreach (var c in text.Length > 4000 ? text[..4000] : text)
        {
            escaped.Append(c is '\n' ? "\n" : c < ' ' || c is >= '\u007f' and <= '\u009f' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return escaped.ToString();
    }
}
