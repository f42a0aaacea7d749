using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The shell scripts every job reads at run time, shipped once per namespace as the Nomad Variable <c>nomad/jobs</c>
/// instead of being copied into each job file. Every workload of a namespace may read exactly that path without an
/// ACL policy; a task's template reads one item (<c>{{ with nomadVar "nomad/jobs" }}{{ .pg_backup }}{{ end }}</c>).
/// </summary>
internal sealed class ScriptsVariable
{
    /// <summary>The variable's path: the one path every workload of a namespace reads implicitly.</summary>
    public const string Path = "nomad/jobs";

    /// <summary>Nomad refuses a variable whose item keys and values exceed this many bytes (<c>maxVariableSize</c>).</summary>
    public const int MaxSize = 65536;

    /// <summary>The heredoc anchor of the HCL variable file; a script line equal to it would end the heredoc.</summary>
    private const string Anchor = "EOSCRIPT";

    /// <summary>The scripts in the variable: item key (a Go template identifier) and file under templates/scripts.</summary>
    public static readonly IReadOnlyList<(string Key, string File)> Scripts =
    [
        ("backup_lib", "backup-lib.sh"),
        ("pg_backup", "pg-backup.sh"),
        ("sqlite_backup", "sqlite-backup.sh"),
        ("backup_age_check", "backup-age-check.sh"),
        ("init_databases", "init-databases.sh"),
        ("rotate_password", "rotate-password.sh"),
        ("heartbeat", "heartbeat.sh"),
        ("archive_wal", "archive-wal.sh"),
        ("offsite", "offsite.sh"),
    ];

    private ScriptsVariable(IReadOnlyList<(string Key, string Text)> items, string path = Path, string? job = null)
    {
        Items = items;
        VariablePath = path;
        Job = job;
        Size = items.Sum(i => Encoding.UTF8.GetByteCount(i.Key) + Encoding.UTF8.GetByteCount(i.Text));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(items.Select(i => i.Key + "\0" + i.Text + "\0"))));
        Checksum = Hex.Lower(hash);
    }

    /// <summary>Where the variable lives: <see cref="Path"/>, or a migration job's own <c>nomad/jobs/JOB</c>.</summary>
    public string VariablePath { get; }

    /// <summary>The one job that reads the variable (a migration job), or null for the shared scripts.</summary>
    public string? Job { get; }

    /// <summary>Item key and script text, in file order.</summary>
    public IReadOnlyList<(string Key, string Text)> Items { get; }

    /// <summary>Bytes Nomad counts against <see cref="MaxSize"/> (keys and values).</summary>
    public int Size { get; }

    /// <summary>SHA-256 of the items: the one line of each job that changes when a script changes.</summary>
    public string Checksum { get; }

    /// <summary>The checksum line in the header of every job file that reads the variable.</summary>
    public string HeaderLine => $"Reads its scripts from Nomad Variable {Path} ({FileStem}*.nv.hcl), sha256 {Checksum[..16]}.";

    /// <summary>The file name stem; <c>nomad-db-scripts.nv.hcl</c> for the default namespace.</summary>
    public const string FileStem = "nomad-db-scripts";

    /// <summary>The variable file for <paramref name="namespace"/> (null: default).</summary>
    public static string FileName(string? @namespace, JobFormat format)
    {
        var extension = format == JobFormat.Json ? "json" : "hcl";
        if (@namespace is null or "default")
        {
            return $"{FileStem}.nv.{extension}";
        }

        // A name Nomad accepts (validNamespaceName, ^[a-zA-Z0-9-]{1,128}$) is a safe file name; any other text never
        // becomes a path: it is named by its hash (the file itself names the namespace).
        var safe = @namespace.Length <= 128 && @namespace.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
            ? @namespace
            : "ns-" + Hex.Lower(SHA256.HashData(Encoding.UTF8.GetBytes(@namespace)))[..12];
        return $"{FileStem}.{safe}.nv.{extension}";
    }

    /// <summary>The template data that renders script <paramref name="file"/> from the variable.</summary>
    public static string TemplateData(string file) =>
        $"{{{{ with nomadVar \"{Path}\" }}}}{{{{ .{KeyOf(file)} }}}}{{{{ end }}}}";

    /// <summary>
    /// The namespaces that need the variable, in order: those of the service jobs with a backup and of every shared
    /// instance (its init task and cluster backup read scripts).
    /// </summary>
    public static IEnumerable<string> NamespacesOf(IEnumerable<ServiceJob> jobs, IEnumerable<SharedPostgresJob> shared) =>
        jobs.Where(JobRenderer.ReadsScripts).Select(j => j.Namespace ?? Defaults.Namespace)
            .Concat(shared.Select(s => s.Namespace ?? Defaults.Namespace))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    /// <summary>Whether a task of <paramref name="group"/> renders a script from the variable.</summary>
    public static bool IsReadBy(GroupDoc group) =>
        group.Tasks.Any(t => t.Templates.Any(template => Scripts.Any(s => template.Data == TemplateData(s.File))));

    /// <summary>The item key of script <paramref name="file"/>.</summary>
    public static string KeyOf(string file)
    {
        foreach (var (key, name) in Scripts)
        {
            if (name == file)
            {
                return key;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(file), file, "Not a script shipped in the variable.");
    }

    /// <summary>Reads the scripts of <paramref name="templates"/> and checks that Nomad will store them.</summary>
    /// <exception cref="TemplateException">A script is empty, would end the heredoc, or the variable is too large.</exception>
    public static ScriptsVariable From(TemplateSet templates)
    {
        var items = new List<(string, string)>();
        foreach (var (key, file) in Scripts)
        {
            var text = templates.ReadText($"scripts/{file}").ReplaceLineEndings("\n");
            if (text.Length == 0 || !text.EndsWith('\n'))
            {
                throw new TemplateException($"scripts/{file} must be non-empty and end with a newline.");
            }

            if (text.Split('\n').Any(line => line.Trim() == Anchor))
            {
                throw new TemplateException($"scripts/{file} has a line '{Anchor}', which would end its heredoc in the variable file.");
            }

            items.Add((key, ShellComments.Strip(text)));
        }

        var variable = new ScriptsVariable(items);
        return variable.Size > MaxSize
            ? throw new TemplateException($"The scripts take {variable.Size} bytes; a Nomad Variable holds at most {MaxSize}.")
            : variable;
    }

    /// <summary>The item key of the migration script in a migration job's own variable.</summary>
    public const string MigrateKey = "migrate_database";

    /// <summary>The item key of the restore script in a restore job's own variable.</summary>
    public const string RestoreKey = "restore_database";

    /// <summary>The item key of the SQLite restore script in a restore job's own variable.</summary>
    public const string RestoreSqliteKey = "restore_sqlite";

    /// <summary>The item key of the point-in-time restore script in a restore job's own variable.</summary>
    public const string PitrRestoreKey = "pitr_restore";

    /// <summary>
    /// The script of a one-shot job (migration, restore) in that job's own variable <c>nomad/jobs/JOB</c> (its workload
    /// identity reads that path implicitly): it would not fit beside the backup scripts in the 64 KiB of
    /// <see cref="Path"/>, and only that job reads it.
    /// </summary>
    public static ScriptsVariable ForOneJob(TemplateSet templates, string job, string key, string file)
    {
        var text = templates.ReadText($"scripts/{file}").ReplaceLineEndings("\n");
        if (text.Split('\n').Any(line => line.Trim() == Anchor) || text.Contains("{{", StringComparison.Ordinal))
        {
            throw new TemplateException($"scripts/{file} holds a line that would end its heredoc, or '{{{{', which consul-template would evaluate.");
        }

        return new ScriptsVariable([(key, ShellComments.Strip(text))], $"nomad/jobs/{job}", job);
    }

    /// <summary>The migration script in the migration job's own variable.</summary>
    public static ScriptsVariable ForMigration(TemplateSet templates, string job) => ForOneJob(templates, job, MigrateKey, "migrate-database.sh");

    /// <summary>The file of a one-shot job's variable: <c>JOB.nv.hcl</c>.</summary>
    public static string OneJobFileName(string job) => $"{job}.nv.hcl";

    /// <summary>The template data that renders item <paramref name="key"/> of job <paramref name="job"/>'s own variable.</summary>
    public static string OneJobTemplateData(string job, string key) =>
        $"{{{{ with nomadVar \"nomad/jobs/{job}\" }}}}{{{{ .{key} }}}}{{{{ end }}}}";

    /// <summary>
    /// The variable specification <c>nomad var put @file</c> reads: HCL (Nomad's HCL 1 parser, the format of
    /// <c>nomad var get -out hcl</c>; heredocs keep each script line by line, so a review diff shows changed lines) or
    /// the JSON of <c>api.Variable</c>.
    /// </summary>
    public string Render(string? @namespace, JobFormat format)
    {
        var ns = @namespace ?? Defaults.Namespace;
        if (format == JobFormat.Json)
        {
            // JSON nodes, not a serialized dictionary: reflection-based serialization is off in the Native AOT build.
            var items = new JsonObject(Items.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)i.Text)));
            return new JsonObject { ["Namespace"] = ns, ["Path"] = VariablePath, ["Items"] = items }.ToJsonString(JsonOptions) + "\n";
        }

        var builder = new StringBuilder();
        builder.Append("# Generated by nomad-db ").Append(GeneratorInfo.Version).Append(". Do not edit by hand: render again.\n");
        if (Job is { } job)
        {
            builder.Append("# The script of the one-shot job \"").Append(job).Append("\", which reads it with {{ with nomadVar \"").Append(VariablePath).Append("\" }}.\n");
            builder.Append("# Publish it before running that job, and delete it afterwards:\n");
            builder.Append("#   nomad var put @").Append(OneJobFileName(job)).Append("    nomad var purge ").Append(VariablePath).Append('\n');
        }
        else
        {
            builder.Append("# The scripts of every nomad-db job in namespace \"").Append(ns).Append("\"; each job reads them with\n");
            builder.Append("# {{ with nomadVar \"").Append(Path).Append("\" }} and names this checksum in its header. Publish before the jobs:\n");
            builder.Append("#   nomad var put @").Append(FileName(@namespace, format)).Append("    (nomad-db run does it, keeping other items)\n");
        }

        builder.Append("# sha256 ").Append(Checksum).Append(", ").Append(Size.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" of ").Append(MaxSize.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(" bytes.\n\n");
        builder.Append("namespace = ").Append(JsonValue.Create(ns).ToJsonString()).Append('\n');
        builder.Append("path      = \"").Append(VariablePath).Append("\"\n\n");
        builder.Append("items = {\n");
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append('\n');
            }

            builder.Append("  ").Append(Items[i].Key).Append(" = <<").Append(Anchor).Append('\n');
            builder.Append(Items[i].Text);
            builder.Append(Anchor).Append('\n');
        }

        builder.Append("}\n");
        return builder.ToString();
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, IndentSize = 2, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
