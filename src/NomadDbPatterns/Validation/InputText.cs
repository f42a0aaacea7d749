using FluentValidation;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Rules about the text of values: control characters, template sequences, secret paths, settings names, and the
/// messages for durations and sizes that are out of range. See the README section "Template sequences in values".
/// </summary>
internal static class InputText
{
    /// <summary>
    /// The first control or invisible character in <paramref name="value"/> (see <see cref="Echo.IsUnsafe"/>), or null.
    /// With <paramref name="multiline"/>, line feeds and tabs are allowed (template data); carriage returns never are.
    /// </summary>
    public static char? UnsafeCharIn(string value, bool multiline)
    {
        foreach (var c in value)
        {
            if (Echo.IsUnsafe(c) && !(multiline && c is '\n' or '\t'))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>How to name a character in a message: <c>U+0000 (NUL)</c>.</summary>
    public static string Describe(char c) => c switch
    {
        '\0' => "U+0000 (NUL)",
        '\n' => "a line break (U+000A)",
        '\r' => "a carriage return (U+000D)",
        '\t' => "a tab (U+0009)",
        '\u001b' => "U+001B (ESC)",
        _ => $"U+{(int)c:X4}",
    };

    /// <summary>A consul-template delimiter (<c>{{</c> or <c>}}</c>) in a value that is rendered into template data, or null.</summary>
    public static string? TemplateSequenceIn(string value) =>
        value.Contains("{{", StringComparison.Ordinal) ? "{{" : value.Contains("}}", StringComparison.Ordinal) ? "}}" : null;

    /// <summary>
    /// Why a secret path (Vault API path) is malformed segment by segment: empty segments (leading, trailing or
    /// doubled '/'), '.' or '..' segments, characters outside letters, digits, '-', '_', '.'. Null when fine.
    /// </summary>
    public static string? SecretPathProblem(string path)
    {
        var segments = path.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                return $"segment {i + 1} is empty (no leading, trailing or doubled '/')";
            }

            if (segment is "." or "..")
            {
                return $"segment {i + 1} is '{segment}' (no relative segments)";
            }

            if (!segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return $"segment {i + 1} holds characters other than letters, digits, '-', '_' and '.'";
            }
        }

        return null;
    }

    /// <summary>A Vault role name: letters, digits, '-', '_', '.', 1-128 characters.</summary>
    public static bool IsRoleName(string role) =>
        role.Length is > 0 and <= 128 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Checks postgresql.conf settings, naming each bad key at <c>Settings.&lt;key&gt;</c>.</summary>
    public static void CheckSettings<T>(IEnumerable<KeyValuePair<string, string>> settings, ValidationContext<T> context)
    {
        foreach (var setting in settings)
        {
            var name = setting.Key;
            if (name.Length == 0 || name.Length > 63 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.'))
            {
                context.Fail($"Settings.{name}", ErrorCodes.InvalidValue, $"'{Echo.Value(name)}' is not a postgresql.conf name (lower-case letters, digits, '_', '.')");
            }

            if (UnsafeCharIn(setting.Value, multiline: false) is { } c)
            {
                context.Fail($"Settings.{name}", ErrorCodes.UnsafeText, $"the value of '{Echo.Value(name)}' holds {Describe(c)}; settings are single-line values");
            }
        }
    }

    /// <summary>The message for a size that is not one (or is beyond <see cref="InputLimits.MaxSizeBytes"/>).</summary>
    public static string SizeProblem(string? value, string key = "shmSize") =>
        value is not null && IsTooLarge(value) ? $"{key} '{Echo.Value(value)}' is larger than 1 TiB" : $"{key} is a size such as 256MB or 1GB";

    private static bool IsTooLarge(string value)
    {
        var digits = value.TakeWhile(char.IsAsciiDigit).Count();
        var unit = value[digits..].ToUpperInvariant();
        var multiplier = unit switch
        {
            "" or "B" => 1m,
            "K" or "KB" or "KIB" => 1024m,
            "M" or "MB" or "MIB" => 1024m * 1024,
            "G" or "GB" or "GIB" => 1024m * 1024 * 1024,
            _ => 0m,
        };
        return multiplier > 0 && digits > 0 && (digits > 18 || decimal.Parse(value[..digits], System.Globalization.CultureInfo.InvariantCulture) * multiplier > InputLimits.MaxSizeBytes);
    }

    /// <summary>
    /// Why a duration is not one within [<paramref name="min"/>, <paramref name="max"/>], or null. Values too large
    /// to represent are reported as out of range, never as an overflow.
    /// </summary>
    public static string? DurationProblem(string value, TimeSpan min, TimeSpan max, string what, string examples)
    {
        if (Rules.TryParseDuration(value, out var duration))
        {
            if (duration < min)
            {
                return $"'{Echo.Value(value)}' is not {what} of at least {Format(min)} (e.g. {examples})";
            }

            return duration > max ? $"'{Echo.Value(value)}' is longer than the maximum of {Format(max)} for {what}" : null;
        }

        // Well-formed but too large for Nomad's durations (int64 nanoseconds)?
        return IsWellFormedDuration(value)
            ? $"'{Echo.Value(value)}' is longer than the maximum of {Format(max)} for {what}"
            : $"'{Echo.Value(value)}' is not {what} of at least {Format(min)} (e.g. {examples})";
    }

    private static bool IsWellFormedDuration(string value)
    {
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 0)
            {
                return false;
            }

            rest = rest[digits..];
            var unit = rest.StartsWith("ms") ? 2 : !rest.IsEmpty && rest[0] is 's' or 'm' or 'h' or 'd' ? 1 : 0;
            if (unit == 0)
            {
                return false;
            }

            rest = rest[unit..];
        }

        return value.Length > 0;
    }

    private static string Format(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : $"{span.TotalMinutes:0}m";
}
