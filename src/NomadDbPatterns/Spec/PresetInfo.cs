namespace NomadDbPatterns.Spec;

/// <summary>A secret a preset's job reads besides the database password, from the Nomad variable <c>nomad/jobs/&lt;job&gt;</c>.</summary>
/// <param name="Key">The item key in the variable, e.g. <c>storage_encryption_key</c>.</param>
/// <param name="Description">What the app uses it for and what it must look like.</param>
/// <param name="Generate">Shell text producing a good value, placed inside double quotes: <c>$(openssl rand -hex 32)</c>.</param>
internal sealed record PresetSecret(string Key, string Description, string Generate);

/// <summary>
/// A preset's <c>preset:</c> metadata (see <c>Presets/README.md</c>): what the app is, its pitfalls and the secrets the
/// rendered job reads, so that <c>nomad-db explain preset NAME</c> and <c>nomad-db init --preset NAME</c> can show them.
/// </summary>
/// <param name="Name">The preset name (its file name).</param>
/// <param name="Description">One line: the app and how it gets its database settings.</param>
/// <param name="Database"><c>postgres</c> or <c>sqlite</c>.</param>
/// <param name="Notes">First-run-only settings, pitfalls.</param>
/// <param name="Secrets">The secrets the job reads besides the database password.</param>
/// <param name="Image">The app image the preset pins.</param>
internal sealed record PresetInfo(string Name, string Description, string Database, IReadOnlyList<string> Notes, IReadOnlyList<PresetSecret> Secrets, string? Image)
{
    /// <summary>The key of the database password in <c>nomad/jobs/&lt;job&gt;</c> that <c>postgres.password</c> reads by default.</summary>
    public const string PasswordKey = "db_password";

    /// <summary>A good database password: base64 is safe in every preset's variables (no whitespace, quotes or <c>$</c>).</summary>
    public const string PasswordGenerate = "$(openssl rand -base64 32)";

    /// <summary>True when the job runs a PostgreSQL sidecar (its password is a secret too).</summary>
    public bool UsesPostgres => Database == "postgres";

    /// <summary>Every secret the job reads from <c>nomad/jobs/&lt;job&gt;</c> with the starter spec: the database password first.</summary>
    public IReadOnlyList<PresetSecret> AllSecrets => UsesPostgres
        ? [new PresetSecret(PasswordKey, "the PostgreSQL password (postgres.password; the app and the database read it)", PasswordGenerate), .. Secrets]
        : Secrets;

    /// <summary>The <c>nomad var put</c> command that stores every secret of job <paramref name="job"/> at once.</summary>
    public string StoreCommand(string job) =>
        $"nomad var put nomad/jobs/{job} " + string.Join(' ', AllSecrets.Select(s => $"{s.Key}=\"{s.Generate}\""));

    private static readonly string[] Keys = ["name", "description", "database", "notes", "secrets"];
    private static readonly string[] SecretKeys = ["key", "description", "generate"];

    /// <summary>Reads the metadata of preset <paramref name="name"/>; a malformed preset file is a bug, not input.</summary>
    internal static PresetInfo From(string name, YamlMapping root)
    {
        var meta = root.Get("preset") as YamlMapping ?? throw Bad(name, "has no `preset:` mapping");
        foreach (var entry in meta.Entries.Where(e => !Keys.Contains(e.Key.Value)))
        {
            throw Bad(name, $"has an unknown metadata key '{entry.Key.Value}'");
        }

        var secrets = new List<PresetSecret>();
        foreach (var item in (meta.Get("secrets") as YamlSequence)?.Items ?? [])
        {
            var secret = item as YamlMapping ?? throw Bad(name, "lists a secret that is not a mapping");
            if (secret.Entries.FirstOrDefault(e => !SecretKeys.Contains(e.Key.Value)) is { } unknown)
            {
                throw Bad(name, $"has an unknown secret key '{unknown.Key.Value}'");
            }

            secrets.Add(new PresetSecret(Scalar(secret, "key", name), Scalar(secret, "description", name), Scalar(secret, "generate", name)));
        }

        var image = (root.Get("app") as YamlMapping)?.Get("image") is YamlScalar { IsNull: false } imageNode ? imageNode.Value : null;
        return new PresetInfo(
            Scalar(meta, "name", name),
            Scalar(meta, "description", name),
            Scalar(meta, "database", name),
            [.. ((meta.Get("notes") as YamlSequence)?.Items ?? []).Select(n => (n as YamlScalar)?.Value ?? throw Bad(name, "has a note that is not text"))],
            secrets,
            image);
    }

    private static string Scalar(YamlMapping mapping, string key, string name) =>
        mapping.Get(key) is YamlScalar { IsNull: false } scalar ? scalar.Value : throw Bad(name, $"has no `{key}` in its metadata");

    private static InvalidOperationException Bad(string name, string what) => new($"Preset '{name}' {what}.");
}
