using NomadDbPatterns.Model;

namespace NomadDbPatterns.Spec;

/// <summary>A closed set of words a spec key takes, each with the model value it stands for.</summary>
/// <typeparam name="T">The model value.</typeparam>
internal sealed class SpecWordSet<T> : ISpecWordSet
{
    /// <summary>Creates the set; the words in the order messages and editors list them.</summary>
    public SpecWordSet(params (string Word, T Value)[] entries)
    {
        Entries = entries;
        Words = [.. entries.Select(e => e.Word)];
    }

    /// <summary>Every word with its value.</summary>
    public IReadOnlyList<(string Word, T Value)> Entries { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Words { get; }

    /// <inheritdoc />
    public string? WordOf(object? value) =>
        Entries.Where(e => EqualityComparer<T>.Default.Equals(e.Value, (T?)value)).Select(e => e.Word).FirstOrDefault();
}

/// <summary>What the JSON Schema generator reads of a word set, whatever its values.</summary>
internal interface ISpecWordSet
{
    /// <summary>The words, in order.</summary>
    IReadOnlyList<string> Words { get; }

    /// <summary>The word for a model value (a default), or null.</summary>
    string? WordOf(object? value);
}

/// <summary>
/// Every closed set of words in the spec format, once: <see cref="SpecMapper"/> and the validators read values with
/// them, and the JSON Schema (generated in the tests) lists them as each key's <c>enum</c>, so an editor offers exactly
/// what nomad-db accepts. A spec property names its set with <see cref="SpecWordsAttribute"/>.
/// </summary>
internal static class SpecWords
{
    /// <summary>The kind of a job: <c>kind: service</c> (the default) or the legacy shared instance.</summary>
    public static SpecWordSet<string> Kind { get; } = new(("service", SpecMapper.ServiceKind), (SpecMapper.SharedPostgresKind, SpecMapper.SharedPostgresKind));

    /// <summary><c>network</c>.</summary>
    public static SpecWordSet<NetworkMode> Network { get; } = new(("bridge", NetworkMode.Bridge), ("host", NetworkMode.Host));

    /// <summary><c>hostVolumes.provision</c>.</summary>
    public static SpecWordSet<VolumeProvisioning> Provision { get; } =
        new(("dynamic", VolumeProvisioning.Dynamic), ("static", VolumeProvisioning.Static), ("none", VolumeProvisioning.None));

    /// <summary>A task's <c>lifecycle.hook</c>.</summary>
    public static SpecWordSet<LifecycleHook> LifecycleHook { get; } =
        new(("prestart", Model.LifecycleHook.Prestart), ("poststart", Model.LifecycleHook.Poststart), ("poststop", Model.LifecycleHook.Poststop));

    /// <summary>A Docker mount's <c>type</c>.</summary>
    public static SpecWordSet<MountType> MountType { get; } = new(("bind", Model.MountType.Bind), ("tmpfs", Model.MountType.Tmpfs));

    /// <summary>A service's <c>provider</c>.</summary>
    public static SpecWordSet<ServiceProvider> Provider { get; } = new(("nomad", ServiceProvider.Nomad), ("consul", ServiceProvider.Consul));

    /// <summary>The shared instance's <c>service.provider</c> (Consul first: its default).</summary>
    public static SpecWordSet<ServiceProvider> SharedProvider { get; } = new(("consul", ServiceProvider.Consul), ("nomad", ServiceProvider.Nomad));

    /// <summary>An app or task service's <c>check.type</c>.</summary>
    public static SpecWordSet<CheckType> CheckType { get; } = new(("http", Model.CheckType.Http), ("tcp", Model.CheckType.Tcp));

    /// <summary><c>postgres.service.check.type</c>.</summary>
    public static SpecWordSet<CheckType> DatabaseCheckType { get; } = new(("tcp", Model.CheckType.Tcp), ("script", Model.CheckType.Script));

    /// <summary>A Vault secret's <c>changeMode</c>.</summary>
    public static SpecWordSet<VaultChangeMode> VaultChangeMode { get; } =
        new(("noop", Model.VaultChangeMode.Noop), ("restart", Model.VaultChangeMode.Restart), ("signal", Model.VaultChangeMode.Signal));

    /// <summary>
    /// A template's <c>changeMode</c>: Nomad's Template.Validate refuses signal without change_signal and script without
    /// change_script, which the spec cannot give, so only the modes that need nothing else.
    /// </summary>
    public static SpecWordSet<string> TemplateChangeMode { get; } = new(("noop", "noop"), ("restart", "restart"));

    /// <summary><c>backup.format</c>.</summary>
    public static SpecWordSet<BackupFormat> BackupFormat { get; } = new(("custom", Model.BackupFormat.Custom), ("plain-gzip", Model.BackupFormat.PlainGzip));

    /// <summary><c>backup.verify</c>: whether each dump is restored into a scratch database and compared.</summary>
    public static SpecWordSet<bool> Verify { get; } = new(("none", false), ("restore", true));

    /// <summary><c>backup.placement</c>.</summary>
    public static SpecWordSet<BackupPlacement> Placement { get; } = new(("sidecar", BackupPlacement.Sidecar), ("periodic", BackupPlacement.Periodic));

    /// <summary>A constraint's <c>operator</c>: Nomad's (Constraint.Validate, nomad/structs/structs.go l.10010-10076 at v2.0.5; "==" and "is" are "=", "not" is "!=").</summary>
    public static SpecWordSet<string> ConstraintOperator { get; } = new([.. new[]
    {
        "=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "distinct_hosts", "distinct_property", "regexp", "set_contains",
        "set_contains_all", "set_contains_any", "version", "semver", "is_set", "is_not_set",
    }.Select(o => (o, o))]);

    /// <summary>The app presets (<see cref="PresetCatalog"/>), for <c>preset:</c>.</summary>
    public static SpecWordSet<string> Preset { get; } = new([.. PresetCatalog.Names.Select(n => (n, n))]);

    /// <summary>
    /// The named image variants appended to <c>postgres:MAJOR</c> (and the empty one, the plain Debian tag); a
    /// versioned Alpine variant (<see cref="AlpineVersionPrefix"/>, e.g. alpine3.20) is accepted too.
    /// </summary>
    public static SpecWordSet<string> PostgresVariant { get; } = new([.. new[] { "alpine", "bookworm", "trixie", "bullseye", "" }.Select(v => (v, v))]);

    /// <summary>The start of a versioned Alpine variant of the postgres image (alpine3.20).</summary>
    public const string AlpineVersionPrefix = "alpine3.";
}
