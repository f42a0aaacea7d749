using System.Globalization;
using System.Text;
using System.Text.Json;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>Reading values back from hcl2json, and what a value must read back as.</summary>
internal static class HclRead
{
    /// <summary>
    /// The literal text of a string hcl2json returned. hcl2json writes strings in HCL-JSON template form: a literal
    /// <c>${</c> comes back as <c>$${</c> and <c>%{</c> as <c>%%{</c> (tmccombs/hcl2json <c>escapeLiteral</c>); exactly
    /// that is undone. A string that still holds an unescaped <c>${</c> or <c>%{</c> was not a literal in the HCL (an
    /// interpolation or directive the escaper let through) and reads as a description of that instead.
    /// </summary>
    public static string? Literal(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return $"<not a string: {element.GetRawText()}>";
        }

        var raw = element.GetString()!;
        var literal = raw.Replace("%%{", "%{", StringComparison.Ordinal).Replace("$${", "${", StringComparison.Ordinal);
        var again = literal.Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);
        return again == raw ? literal : $"<template, not a literal: {Show(raw)}>";
    }

    /// <summary>
    /// What HCL reads a string value as: every string goes through cty, which normalizes it to NFC (the HCL spec
    /// defines string equality that way, hcl/spec.md "Primitive Types"); a lone surrogate cannot reach a UTF-8 file
    /// and is written as U+FFFD.
    /// </summary>
    public static string ExpectedValue(string value) => ExpectedLabel(value).Normalize(NormalizationForm.FormC);

    /// <summary>What HCL reads a block label as: labels are plain Go strings, not normalized.</summary>
    public static string ExpectedLabel(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A value as a C# string literal, so that a failure shows every invisible character.</summary>
    public static string Show(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder("\"");
        foreach (var rune in EnumerateRunesLenient(value))
        {
            switch (rune)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case >= 0x20 and < 0x7f: builder.Append((char)rune); break;
                case <= 0xffff: builder.Append("\\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append("\\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture)); break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static IEnumerable<int> EnumerateRunesLenient(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                yield return char.ConvertToUtf32(value[i], value[i + 1]);
                i++;
            }
            else
            {
                yield return value[i];
            }
        }
    }
}
