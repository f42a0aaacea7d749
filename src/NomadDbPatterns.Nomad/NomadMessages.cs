using System.Text;
using System.Text.RegularExpressions;

namespace NomadDbPatterns.Nomad;

/// <summary>
/// Reads the texts Nomad builds from lists of errors and warnings, so each can be shown on one line.
/// </summary>
/// <remarks>
/// Two formats occur. Errors are <c>hashicorp/go-multierror</c> v1.1's <c>ListFormatFunc</c> (the version in Nomad
/// v2.0.5's <c>go.mod</c>): <c>"1 error occurred:\n\t* X\n\n"</c> or <c>"2 errors occurred:\n\t* X\n\t* Y\n\n"</c>,
/// nested without indentation when an error wraps another list (<c>"Task group g validation failed: 1 error
/// occurred:\n\t* Task t validation failed: ..."</c>, <c>nomad/structs/structs.go</c> <c>Job.Validate</c>). Warnings
/// are <c>helper/warning.go</c>'s <c>warningsFormatter</c>: <c>"1 warning:\n\n* X"</c> or
/// <c>"3 warnings:\n\n* X\n* Y\n* Z"</c>, each item trimmed. Older servers wrote <c>"1 error(s) occurred:\n\n* X"</c>
/// and <c>"1 warning(s):"</c>; those read too.
/// </remarks>
public static partial class NomadMessages
{
    /// <summary>
    /// The items of an error or warning list, each folded onto one line: a nested list joins its item ("Task group g
    /// validation failed: Task t validation failed: minimum MemoryMB value is 10; got 1"; several nested items are
    /// separated by "; "). Text in neither format is one item; empty text none.
    /// </summary>
    public static IReadOnlyList<string> Items(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var position = 0;
        var trimmed = text.Trim();
        if (Header().Match(trimmed) is { Success: true, Index: 0 } && TryParseList(trimmed, ref position, out var items))
        {
            return items.Where(i => i.Length > 0).ToList();
        }

        // Text that wraps a list ("rpc error: 1 error occurred: ..."): the list folds into it.
        position = 0;
        return TryParseItem(trimmed, ref position, out var single) && trimmed.AsSpan(position).IsWhiteSpace() ? [single] : [OneLine(trimmed)];
    }

    [GeneratedRegex(@"\G(\d+) (?:errors? occurred|error\(s\) occurred|warnings?|warning\(s\)):")]
    private static partial Regex Header();

    private static bool TryParseList(string text, ref int position, out List<string> items)
    {
        items = [];
        var header = Header().Match(text, position);
        if (!header.Success || !int.TryParse(header.Groups[1].ValueSpan, out var count) || count > 10_000)
        {
            return false;
        }

        position = header.Index + header.Length;
        for (var i = 0; i < count; i++)
        {
            while (position < text.Length && text[position] is '\n' or '\r' or '\t')
            {
                position++;
            }

            if (!text.AsSpan(position).StartsWith("* ", StringComparison.Ordinal))
            {
                return false;
            }

            position += 2;
            if (!TryParseItem(text, ref position, out var item))
            {
                return false;
            }

            items.Add(item);
        }

        while (position < text.Length && text[position] is '\n' or '\r')
        {
            position++;
        }

        return true;
    }

    /// <summary>Reads one item up to the next bullet or blank line; a nested list inside it is read whole.</summary>
    private static bool TryParseItem(string text, ref int position, out string item)
    {
        var line = new StringBuilder();
        while (position < text.Length)
        {
            if (char.IsAsciiDigit(text[position]) && (position == 0 || !char.IsAsciiLetterOrDigit(text[position - 1]))
                && Header().Match(text, position).Success)
            {
                if (!TryParseList(text, ref position, out var nested))
                {
                    item = "";
                    return false;
                }

                item = OneLine(line + " " + string.Join("; ", nested));
                return true;
            }

            if (text[position] == '\n')
            {
                var rest = text.AsSpan(position);
                if (rest.StartsWith("\n\t* ", StringComparison.Ordinal) || rest.StartsWith("\n* ", StringComparison.Ordinal) || rest.StartsWith("\n\n", StringComparison.Ordinal) || rest.Trim().IsEmpty)
                {
                    break;
                }
            }

            line.Append(text[position]);
            position++;
        }

        item = OneLine(line.ToString());
        return true;
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
}
