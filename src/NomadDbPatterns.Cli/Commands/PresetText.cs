using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Cli.Commands;

/// <summary>How <c>explain preset</c> and <c>init --preset</c> show the secrets a preset's job reads.</summary>
internal static class PresetText
{
    /// <summary>Writes the secrets of <paramref name="preset"/>'s job <paramref name="job"/> and the command that stores them.</summary>
    public static void WriteSecrets(TextWriter writer, PresetInfo preset, string job)
    {
        foreach (var line in SecretLines(preset, job))
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>The lines <see cref="WriteSecrets"/> writes (also the starter spec's comment).</summary>
    public static IEnumerable<string> SecretLines(PresetInfo preset, string job)
    {
        var secrets = preset.AllSecrets;
        if (secrets.Count == 0)
        {
            yield return "Secrets: none; the job reads no Nomad variable.";
            yield break;
        }

        yield return $"Secrets the job reads from the Nomad variable nomad/jobs/{job} (store them before the first run):";
        var width = secrets.Max(s => s.Key.Length);
        foreach (var secret in secrets)
        {
            yield return $"  {secret.Key.PadRight(width)}  {secret.Description}";
        }

        yield return $"  {preset.StoreCommand(job)}";
        yield return $"  or let nomad-db make them in Nomad (never replacing a stored value): nomad-db secrets generate SPEC";
        if (preset.Secrets.Count > 0)
        {
            yield return "With Vault instead: point postgres.password at Vault and replace the app templates that read the other keys.";
        }
    }
}
