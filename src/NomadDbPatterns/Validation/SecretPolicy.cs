using System.Text.RegularExpressions;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>
/// The one definition of "looks like a credential". A value is an error (NDB020) unless it is a secret reference
/// when it is: a literal under a secret name (an env variable, postgres setting, template key, tag, flag or query
/// parameter whose name ends in password/secret/token/… or is a known secret variable), a URL with a password in its
/// userinfo, a known token format (Vault, GitHub, GitLab, Slack, AWS, JWT, private keys), or a random-looking string
/// under a name that mentions a secret. The value itself is never echoed.
/// </summary>
/// <remarks>
/// Secret references: the database placeholders (<c>{password}</c>, <c>{passwordUrlEncoded}</c>,
/// <c>{passwordFile}</c>), consul-template lookups (<c>{{ … }}</c>), Nomad/shell interpolation (<c>${…}</c>,
/// <c>$NAME</c>) and file paths (<c>/secrets/…</c>, <c>secrets/…</c>, for <c>*_FILE</c> variables).
/// </remarks>
internal static partial class SecretPolicy
{
    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal)
    {
        "password", "passwd", "pwd", "pass", "passphrase", "passcode", "secret", "secrets", "token", "credential", "credentials",
        "apikey", "privatekey", "salt", "pat",
    };

    /// <summary>Words that make a following <c>key</c> a secret (<c>API_KEY</c>, <c>APP_KEY</c>, <c>SECRET_KEY</c>…).</summary>
    private static readonly HashSet<string> KeyQualifiers = new(StringComparer.Ordinal)
    {
        "api", "app", "secret", "private", "access", "encryption", "encrypt", "signing", "master", "session", "auth", "license",
        "client", "ssh", "jwt", "hmac", "webhook", "cookie", "crypt", "storage", "account", "service", "admin", "enc",
    };

    /// <summary>Known secret variables whose names do not end in a secret word.</summary>
    private static readonly HashSet<string> KnownSecretNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "PGPASSWORD", "SECRET_KEY_BASE", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "HTPASSWD", "BASIC_AUTH", "DATABASE_PASSWORD",
        "MINIO_ROOT_PASSWORD", "RAILS_MASTER_KEY", "NEXTAUTH_SECRET", "OIDC_CLIENT_SECRET",
    };

    private static readonly HashSet<string> HarmlessWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "none", "null", "disabled", "enabled", "required", "optional", "0", "1",
    };

    /// <summary>The words of a name: split at non-alphanumerics and lower→upper case changes, lower-cased.</summary>
    internal static List<string> Words(string name)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                Flush();
                continue;
            }

            if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
            {
                Flush();
            }

            current.Append(char.ToLowerInvariant(c));
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }

    /// <summary>
    /// True when a value under this name is a credential: the name's last word is a secret word
    /// (<c>DB_PASSWORD</c>, <c>adminToken</c>, <c>APP_KEY</c>), or it is a known secret variable.
    /// <c>PASSWORD_FILE</c> or <c>PASSWORD_ITERATIONS</c> are not: they only mention a secret.
    /// </summary>
    public static bool IsSecretName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        if (KnownSecretNames.Contains(name))
        {
            return true;
        }

        var words = Words(name);
        if (words.Count == 0)
        {
            return false;
        }

        var last = words[^1];
        return SecretWords.Contains(last) || last.EndsWith("password", StringComparison.Ordinal) || last.EndsWith("passwd", StringComparison.Ordinal)
            || (last is "key" && words.Count > 1 && KeyQualifiers.Contains(words[^2]));
    }

    /// <summary>True when any word of the name is a secret word (<c>PASSWORD_ITERATIONS</c>, <c>SECRET_ROTATION</c>).</summary>
    public static bool MentionsSecret(string? name) =>
        !string.IsNullOrEmpty(name) && (IsSecretName(name) || Words(name).Any(w => SecretWords.Contains(w) || w.Contains("password", StringComparison.Ordinal)));

    /// <summary>A value that refers to a secret instead of holding one (see the class remarks), or is empty.</summary>
    public static bool IsReference(string value)
    {
        var v = value.Trim();
        return v.Length == 0
            || v.Contains("{{", StringComparison.Ordinal)
            || v.Contains("{password", StringComparison.Ordinal)
            || v.StartsWith("${", StringComparison.Ordinal)
            || v.StartsWith('/')
            || v.StartsWith("secrets/", StringComparison.Ordinal) || v.StartsWith("local/", StringComparison.Ordinal) || v.StartsWith("alloc/", StringComparison.Ordinal)
            || IsShellReference(v);
    }

    private static bool IsHarmless(string value) => HarmlessWords.Contains(value.Trim().Trim('"', '\''));

    /// <summary>Why <paramref name="value"/> under <paramref name="name"/> is a credential, or null.</summary>
    public static string? CheckNamed(string name, string value)
    {
        if (CheckFree(value) is { } free)
        {
            return free;
        }

        if (IsReference(value) || IsHarmless(value))
        {
            return null;
        }

        if (IsSecretName(name))
        {
            return $"'{Echo.Escape(name, InputLimits.MaxEchoChars)}' holds a literal credential";
        }

        return MentionsSecret(name) && IsHighEntropy(value) ? $"'{Echo.Escape(name, InputLimits.MaxEchoChars)}' holds a random-looking string, which looks like a credential" : null;
    }

    /// <summary>Why a value in any position is a credential (a URL with a password, a secret query parameter, a known token format), or null.</summary>
    public static string? CheckFree(string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        foreach (Match match in UrlUserInfo(value).Matches(value))
        {
            var password = match.Groups["password"].Value;
            if (password.Length > 0 && !IsReference(password))
            {
                return "a URL holds a password in its user info (scheme://user:PASSWORD@host)";
            }
        }

        foreach (Match match in QueryParameter(value).Matches(value))
        {
            if (IsSecretName(match.Groups["name"].Value) && !IsReference(Uri.UnescapeDataString(match.Groups["value"].Value)))
            {
                return $"the query parameter '{Echo.Escape(match.Groups["name"].Value, InputLimits.MaxEchoChars)}' holds a literal credential";
            }
        }

        return IsKnownToken(value) ? "the value has the format of an access token or private key" : null;
    }

    /// <summary>True for a value that must never be shown: a known token format, a URL with a password, or a random-looking string.</summary>
    public static bool LooksLikeCredential(string value) => CheckFree(value) is not null || IsHighEntropy(value);

    /// <summary>
    /// A random-looking string: at least 16 characters without spaces, a run of 12 or more letters and digits, two or
    /// more character classes with a digit or symbol, at least 3.5 bits of entropy per character; not a URL, and a
    /// path only when one of its segments is.
    /// </summary>
    public static bool IsHighEntropy(string value)
    {
        if (value.Length < 16 || value.Length > 4096 || value.Any(char.IsWhiteSpace) || value.Contains("://", StringComparison.Ordinal) || value.StartsWith('/'))
        {
            return false;
        }

        // A path (nomad/jobs/j1234, secret/data/postgres/app) is judged segment by segment.
        if (value.Contains('/', StringComparison.Ordinal))
        {
            return value.Split('/').Any(segment => !segment.Contains('/', StringComparison.Ordinal) && IsHighEntropy(segment));
        }

        // Structured text (an image tag, a tag rule, a host name) is short words between separators; a secret has a
        // long unbroken run of letters and digits.
        var run = 0;
        var longestRun = 0;
        foreach (var c in value)
        {
            run = char.IsAsciiLetterOrDigit(c) || c == '+' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }

        if (longestRun < 12)
        {
            return false;
        }

        bool lower = false, upper = false, digit = false, symbol = false;
        var counts = new Dictionary<char, int>();
        foreach (var c in value)
        {
            lower |= char.IsLower(c);
            upper |= char.IsUpper(c);
            digit |= char.IsAsciiDigit(c);
            symbol |= !char.IsLetterOrDigit(c) && c is not ('-' or '_' or '.' or '/' or ':');
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        var classes = (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (symbol ? 1 : 0);
        if (classes < 2 || !digit && !symbol)
        {
            return false;
        }

        var entropy = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / value.Length;
            entropy -= p * Math.Log2(p);
        }

        return entropy >= 3.5;
    }

    /// <summary>Checks command-line arguments: <c>--password=x</c>, <c>--password x</c>, <c>-p</c>-less forms and free values.</summary>
    public static IEnumerable<(int Index, string Reason)> CheckArgs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (CheckFree(arg) is { } free)
            {
                yield return (i, free);
                continue;
            }

            if (arg.StartsWith('-') && arg.TrimStart('-') is { Length: > 0 } flag)
            {
                var equals = flag.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    if (CheckNamed(flag[..equals], flag[(equals + 1)..]) is { } reason)
                    {
                        yield return (i, reason);
                    }
                }
                else if (IsSecretName(flag) && i + 1 < args.Count && !args[i + 1].StartsWith('-') && CheckNamed(flag, args[i + 1]) is { } reason)
                {
                    yield return (i + 1, reason);
                    i++;
                }
            }
        }
    }

    /// <summary>Checks <c>key=value</c> / <c>key: value</c> text (a tag, a line of template data).</summary>
    public static string? CheckAssignment(string text)
    {
        if (CheckFree(text) is { } free)
        {
            return free;
        }

        var match = Assignment(text).Match(text);
        return match.Success ? CheckNamed(match.Groups["name"].Value, match.Groups["value"].Value.Trim().TrimEnd(',', ';').Trim().Trim('"', '\'')) : null;
    }

    /// <summary>Checks every line of template data; yields the 1-based line and the reason.</summary>
    public static IEnumerable<(int Line, string Reason)> CheckTemplate(string data)
    {
        var line = 0;
        foreach (var text in data.Split('\n'))
        {
            line++;
            if (CheckAssignment(text) is { } reason)
            {
                yield return (line, reason);
            }
        }
    }

    private const string Advice = "; reference a secret instead (`nomad-db explain NDB020`)";

    /// <summary>Applies the policy to a service job, reporting at model property paths.</summary>
    public static void Check(ServiceJob job, ValidationContext<ServiceJob> context)
    {
        CheckJobCommon(job.Constraints, context);
        var app = job.App;
        CheckTask(context, "App", app.Image, app.Command, app.User, app.Args, app.Env, app.Database?.Env ?? [], app.Service, app.Templates, app.Secrets);

        for (var t = 0; t < job.Tasks.Length; t++)
        {
            var task = job.Tasks[t];
            CheckTask(context, $"Tasks[{t}]", task.Image, task.Command, task.User, task.Args, task.Env, [], task.Service, task.Templates, task.Secrets);
        }

        if (job.Postgres is { } pg)
        {
            Settings(context, "Postgres.Settings", pg.Settings);
            Free(context, "Postgres.Image", pg.Image);
            Secret(context, "Postgres.Password", pg.Password);
            for (var i = 0; i < (pg.Service?.Tags.Length ?? 0); i++)
            {
                if (CheckAssignment(pg.Service!.Tags[i]) is { } reason)
                {
                    Fail(context, $"Postgres.Service.Tags[{i}]", reason);
                }
            }
        }
    }

    /// <summary>The text of one task (the app, with its database wiring, or an extra task) under <paramref name="path"/>.</summary>
    private static void CheckTask(ValidationContext<ServiceJob> context, string path, string image, string? command, string? user,
        System.Collections.Immutable.ImmutableArray<string> args, System.Collections.Immutable.ImmutableArray<EnvVar> envVars,
        System.Collections.Immutable.ImmutableArray<EnvVar> databaseEnv, ServiceRegistration? service, System.Collections.Immutable.ImmutableArray<TemplateFile> templates,
        System.Collections.Immutable.ImmutableArray<TaskSecret> secrets)
    {
        foreach (var secret in secrets)
        {
            Secret(context, $"{path}.Secrets.{secret.Name}", secret.Source);
        }

        Free(context, $"{path}.Image", image);
        if (command is not null)
        {
            foreach (var (_, reason) in CheckArgs(command.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                Fail(context, $"{path}.Command", reason);
                break;
            }
        }

        Free(context, $"{path}.User", user);
        foreach (var (index, reason) in CheckArgs(args))
        {
            Fail(context, $"{path}.Args[{index}]", reason);
        }

        foreach (var env in envVars)
        {
            Named(context, $"{path}.Env.{env.Name}", env.Name, env.Value);
        }

        foreach (var env in databaseEnv)
        {
            Named(context, $"{path}.Database.Env.{env.Name}", env.Name, env.Value);
        }

        if (service is not null)
        {
            for (var i = 0; i < service.Tags.Length; i++)
            {
                if (CheckAssignment(service.Tags[i]) is { } reason)
                {
                    Fail(context, $"{path}.Service.Tags[{i}]", reason);
                }
            }

            Free(context, $"{path}.Service.Check.Path", service.Check?.Path);
        }

        for (var i = 0; i < templates.Length; i++)
        {
            foreach (var (line, reason) in CheckTemplate(templates[i].Data))
            {
                Fail(context, $"{path}.Templates[{i}].Data", $"line {line} of the template: {reason}");
            }
        }
    }

    /// <summary>Applies the policy to a legacy shared instance.</summary>
    public static void Check(SharedPostgresJob job, ValidationContext<SharedPostgresJob> context)
    {
        CheckJobCommon(job.Constraints, context);
        Settings(context, "Postgres.Settings", job.Postgres.Settings);
        Free(context, "Postgres.Image", job.Postgres.Image);
        Secret(context, "AdminPassword", job.AdminPassword);
        for (var i = 0; i < job.Databases.Length; i++)
        {
            Secret(context, $"Databases[{i}].Password", job.Databases[i].Password);
        }
    }

    private static void CheckJobCommon<T>(IReadOnlyList<Constraint> constraints, ValidationContext<T> context)
    {
        for (var i = 0; i < constraints.Count; i++)
        {
            var constraint = constraints[i];
            // No entropy rule here: node IDs (UUIDs) are ordinary constraint values.
            if (constraint.Value is { } value && (CheckFree(value) ?? (IsSecretName(constraint.Attribute?.Trim('$', '{', '}')) && !IsReference(value) && !IsHarmless(value)
                    ? "the constraint compares a secret-named attribute with a literal credential"
                    : null)) is { } reason)
            {
                Fail(context, $"Constraints[{i}].Value", reason);
            }
        }
    }

    private static void Settings<T>(ValidationContext<T> context, string path, IEnumerable<KeyValuePair<string, string>> settings)
    {
        foreach (var setting in settings)
        {
            Named(context, $"{path}.{setting.Key}", setting.Key, setting.Value);
        }
    }

    private static void Secret<T>(ValidationContext<T> context, string path, SecretSource secret)
    {
        var (field, reference) = secret switch
        {
            VaultSecret vault => ("Vault", vault.Path),
            NomadVariableSecret variable => ("NomadVar", variable.Path),
            _ => ("Key", secret.Key),
        };
        if (LooksLikeCredential(reference))
        {
            Fail(context, $"{path}.{field}", "this is a secret's path, but the value looks like the secret itself");
        }

        if (LooksLikeCredential(secret.Key))
        {
            Fail(context, $"{path}.Key", "this is the key of a secret, but the value looks like the secret itself");
        }

        if (secret is VaultSecret { Role: { } role } && LooksLikeCredential(role))
        {
            Fail(context, $"{path}.Role", "the Vault role is a role name (e.g. nomad-workloads), but the value looks like a token or password");
        }
    }

    private static void Free<T>(ValidationContext<T> context, string path, string? value)
    {
        if (value is not null && CheckFree(value) is { } reason)
        {
            Fail(context, path, reason);
        }
    }

    private static void Named<T>(ValidationContext<T> context, string path, string name, string value)
    {
        if (CheckNamed(name, value) is { } reason)
        {
            Fail(context, path, reason);
        }
    }

    private static void Fail<T>(ValidationContext<T> context, string path, string reason) =>
        context.Fail(path, ErrorCodes.LiteralPassword, reason + Advice);

    // Values up to ShortValueChars go through the source-generated regex: nothing to build at start-up (building the
    // non-backtracking token pattern took ~20 ms of every nomad-db run) and, backtracking, at worst quadratic in a short
    // value. Longer values (a spec may hold a 1 MiB scalar) go through the same pattern with RegexOptions.NonBacktracking,
    // linear whatever they hold, built on first use. Either way a regex is only asked when a cheap test says the pattern
    // can match: most values never reach one.
    private const int ShortValueChars = 4096;
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    private const string UrlUserInfoPattern = @"[A-Za-z][A-Za-z0-9+.\-]*://(?<user>[^/@\s:?#]*):(?<password>[^/@\s?#]*)@";
    private const string QueryParameterPattern = @"[?&;](?<name>[A-Za-z0-9_.\-]+)=(?<value>[^&;#\s]+)";
    private const string AssignmentPattern = @"^\s*[""']?(?<name>[A-Za-z_][A-Za-z0-9_.\-]*)[""']?\s*[:=]\s*(?<value>.*)$";
    private const string KnownTokenPattern =
        @"-----BEGIN [A-Z ]*PRIVATE KEY-----|\bhv[sbr]\.[A-Za-z0-9_\-]{20,}|\bs\.[A-Za-z0-9]{24}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{22,}|\bglpat-[A-Za-z0-9_\-]{20}|\bxox[abposr]-[A-Za-z0-9\-]{10,}|\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bsk_live_[0-9A-Za-z]{20,}|\bsk-(proj-)?[A-Za-z0-9_\-]{32,}|\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}";

    [GeneratedRegex(UrlUserInfoPattern, Options)]
    private static partial Regex UrlUserInfoShort();

    [GeneratedRegex(QueryParameterPattern, Options)]
    private static partial Regex QueryParameterShort();

    [GeneratedRegex(AssignmentPattern, Options)]
    private static partial Regex AssignmentShort();

    [GeneratedRegex(KnownTokenPattern, Options)]
    private static partial Regex KnownTokenShort();

    private static readonly Lazy<Regex> UrlUserInfoLong = new(() => new(UrlUserInfoPattern, Options | RegexOptions.NonBacktracking));
    private static readonly Lazy<Regex> QueryParameterLong = new(() => new(QueryParameterPattern, Options | RegexOptions.NonBacktracking));
    private static readonly Lazy<Regex> AssignmentLong = new(() => new(AssignmentPattern, Options | RegexOptions.NonBacktracking));
    private static readonly Lazy<Regex> KnownTokenLong = new(() => new(KnownTokenPattern, Options | RegexOptions.NonBacktracking));

    private static Regex ForLength(string value, Regex shortValues, Lazy<Regex> longValues) =>
        value.Length <= ShortValueChars ? shortValues : longValues.Value;

    private static readonly string[] TokenPrefixes =
        ["-----BEGIN", "hvs.", "hvb.", "hvr.", "s.", "gho_", "ghp_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "AKIA", "ASIA", "sk_live_", "sk-", "eyJ"];

#if NET9_0_OR_GREATER
    /// <summary>Every known token format starts with one of these.</summary>
    private static readonly System.Buffers.SearchValues<string> TokenMarkers = System.Buffers.SearchValues.Create(TokenPrefixes, StringComparison.Ordinal);

    private static bool HasTokenMarker(string value) => value.AsSpan().ContainsAny(TokenMarkers);
#else
    private static bool HasTokenMarker(string value) => TokenPrefixes.Any(p => value.Contains(p, StringComparison.Ordinal));
#endif

    private static readonly Regex NoMatch = new("(?!)", RegexOptions.None);

    private static bool IsShellReference(string value) =>
        value.Length > 1 && value[0] == '$' && (char.IsAsciiLetter(value[1]) || value[1] == '_') && value.AsSpan(1).ContainsAnyExcept(NameChars) is false;

    private static readonly System.Buffers.SearchValues<char> NameChars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private static Regex UrlUserInfo(string value) =>
        value.Contains("://", StringComparison.Ordinal) && value.Contains('@', StringComparison.Ordinal) ? ForLength(value, UrlUserInfoShort(), UrlUserInfoLong) : NoMatch;

    private static Regex QueryParameter(string value) =>
        value.Contains('=', StringComparison.Ordinal) && value.AsSpan().IndexOfAny('?', '&', ';') >= 0 ? ForLength(value, QueryParameterShort(), QueryParameterLong) : NoMatch;

    private static Regex Assignment(string value) => value.AsSpan().IndexOfAny(':', '=') >= 0 ? ForLength(value, AssignmentShort(), AssignmentLong) : NoMatch;

    private static bool IsKnownToken(string value) => HasTokenMarker(value) && ForLength(value, KnownTokenShort(), KnownTokenLong).IsMatch(value);
}
