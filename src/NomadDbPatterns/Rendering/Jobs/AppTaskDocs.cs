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
        var mounts = new List<MountDoc>();
        if (job.Sqlite is { } sqlite)
        {
            mounts.Add(DocParts.Mount(JobFacts.SqliteVolumeName, sqlite.Destination));
        }

        mounts.AddRange(app.Volumes.Select(v => new MountDoc(v.Name, v.Destination, v.ReadOnly ? true : null)));
        var usesVault = pg?.Password is VaultSecret && app.Database is not null;
        return new TaskDoc
        {
            Name = app.Name,
            User = app.User,
            Config = ExtraTaskDocs.Container(new DockerConfigDoc(app.Image, app.Command, app.Args, [.. app.Ports.Select(p => p.Name)], app.Container.ShmSize?.Bytes), app.Container),
            Mounts = mounts,
            Env = [.. app.Env.Select(e => new EnvDoc(e.Name, e.Value))],
            Templates = templates,
            Vault = usesVault ? DocParts.Vault(pg!.Password) : null,
            Resources = ResourcesDoc.Of(app.Resources),
        };
    }

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
