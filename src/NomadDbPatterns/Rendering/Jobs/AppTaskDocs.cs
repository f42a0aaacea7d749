using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>The app task of a service job, with its database wiring resolved into an env file.</summary>
internal sealed class AppTaskDocs(ServiceJob job)
{
    public TaskDoc App()
    {
        var app = job.App;
        var pg = job.Postgres;
        var templates = new List<TemplateDoc>();
        if (pg is not null && app.Database is { } wiring)
        {
            if (wiring.Env.Length > 0)
            {
                var lines = wiring.Env.Select(e => ConsulTemplate.EnvLine(e.Name, Parts(pg, e.Value), pg.Password));
                templates.Add(DocParts.Template("secrets/db.env", string.Join('\n', lines) + "\n", "restart", env: true));
            }

            if (wiring.PasswordFile)
            {
                templates.Add(PostgresTaskDocs.PasswordFile(pg.Password, "restart"));
            }
        }

        templates.AddRange(app.Templates.Select(t => DocParts.Template(t.Destination, t.Data, t.ChangeMode, t.Perms, t.Env)));
        templates.AddRange(SecretTemplates(app.Secrets));
        var mounts = new List<MountDoc>();
        if (job.Sqlite is { } sqlite)
        {
            mounts.Add(DocParts.Mount(JobFacts.SqliteVolumeName, sqlite.Destination));
        }

        mounts.AddRange(app.Volumes.Select(v => new MountDoc(v.Name, v.Destination, v.ReadOnly ? true : null)));
        // The task's one vault block: the database password's (when the app reads it) and the secrets', which validation
        // makes share one role and change mode.
        IEnumerable<SecretSource> read = pg is not null && app.Database is not null ? [pg.Password] : [];
        return new TaskDoc
        {
            Name = app.Name,
            User = app.User,
            Config = ExtraTaskDocs.Container(new DockerConfigDoc(app.Image, app.Command, app.Args, [.. app.Ports.Select(p => p.Name)], app.Container.ShmSize?.Bytes), app.Container),
            Mounts = mounts,
            Env = [.. app.Env.Select(e => new EnvDoc(e.Name, e.Value)), .. SecretFileEnv(app.Secrets)],
            Templates = templates,
            Vault = RuntimeDefaults.Vault(read.Concat(app.Secrets.Select(s => s.Source))),
            Resources = ResourcesDoc.Of(app.Resources),
        };
    }

    /// <summary>
    /// A task's secrets as templates: the env secrets in one env file (<c>secrets/secrets.env</c>, <c>env = true</c>), each
    /// line JSON-quoted by consul-template; each file secret in its own file. A changed secret restarts the task.
    /// </summary>
    public static IEnumerable<TemplateDoc> SecretTemplates(IReadOnlyList<TaskSecret> secrets)
    {
        var env = secrets.Where(s => s.File is null).Select(s => ConsulTemplate.EnvLine(s.Name, [new EnvPart(EnvPartKind.Secret, string.Empty)], s.Source)).ToList();
        if (env.Count > 0)
        {
            yield return DocParts.Template(JobFacts.SecretsEnvFile, string.Join('\n', env) + "\n", "restart", env: true);
        }

        foreach (var secret in secrets.Where(s => s.File is not null))
        {
            yield return DocParts.SecretFile(secret.File!, secret.Source, "restart");
        }
    }

    /// <summary>The variables of file secrets: each holds its file's path in the container (the task dir's secrets/ is /secrets).</summary>
    public static IEnumerable<EnvDoc> SecretFileEnv(IReadOnlyList<TaskSecret> secrets) =>
        secrets.Where(s => s.File is not null).Select(s => new EnvDoc(s.Name, "/" + s.File));

    /// <summary>Splits a wiring value into literal text and the secret, resolving the other placeholders.</summary>
    private List<EnvPart> Parts(PostgresSidecar pg, string value)
    {
        var parts = new List<EnvPart>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var open = value.IndexOf('{', i);
            var close = open < 0 ? -1 : value.IndexOf('}', open + 1);
            if (open < 0 || close < 0)
            {
                literal.Append(value, i, value.Length - i);
                break;
            }

            literal.Append(value, i, open - i);
            var name = value[(open + 1)..close];
            string? resolved = name switch
            {
                "host" => "127.0.0.1",
                "port" => pg.Port.ToString(CultureInfo.InvariantCulture),
                "address" => $"127.0.0.1:{pg.Port.ToString(CultureInfo.InvariantCulture)}",
                "database" => job.DatabaseName(),
                "user" => job.DatabaseUser(),
                "passwordFile" => PostgresTaskDocs.PasswordFilePath,
                _ => null,
            };
            if (resolved is not null)
            {
                literal.Append(resolved);
            }
            else if (name is "password" or "passwordUrlEncoded")
            {
                if (literal.Length > 0)
                {
                    parts.Add(new EnvPart(EnvPartKind.Literal, literal.ToString()));
                    literal.Clear();
                }

                parts.Add(new EnvPart(name == "password" ? EnvPartKind.Secret : EnvPartKind.SecretUrlEncoded, string.Empty));
            }
            else
            {
                literal.Append(value, open, close - open + 1);
            }

            i = close + 1;
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(new EnvPart(EnvPartKind.Literal, literal.ToString()));
        }

        return parts;
    }
}
