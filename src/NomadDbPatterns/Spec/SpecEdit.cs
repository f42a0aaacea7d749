using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace NomadDbPatterns.Spec;

/// <summary>
/// Changes values under one job's <c>postgres:</c> in a spec's text and nothing else: comments, order and layout stay.
/// YamlDotNet's parser says where each value is; a value that is there is replaced in place, a missing key is added as
/// the mapping's first entry at its indentation. Values are written by YamlDotNet (<see cref="Legacy.SpecYaml"/>).
/// </summary>
internal static class SpecEdit
{
    /// <summary>
    /// The text with <paramref name="values"/> set under job <paramref name="jobName"/>'s block mapping
    /// <c>postgres:</c> (the file's job, or the item of <c>jobs:</c> with that name), or an error message.
    /// </summary>
    public static (string? Text, string? Error) SetPostgres(string text, string jobName, IReadOnlyList<(string Key, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<JobBlock> jobs;
        try
        {
            jobs = JobBlocks(text);
        }
        catch (YamlException exception)
        {
            return (null, $"the spec cannot be parsed: {exception.Message}");
        }

        var job = jobs.FirstOrDefault(j => j.Name == jobName);
        if (job is null)
        {
            return (null, $"no job named '{jobName}' in the file");
        }

        if (job.Postgres is not { } postgres)
        {
            return (null, "the job's `postgres:` is not written in this file (it comes from a preset or the fleet defaults, or is a flow mapping): add the keys under a block `postgres:` by hand");
        }

        var edits = new List<(int Start, int End, string Text)>();
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        foreach (var (key, value) in values)
        {
            if (postgres.Values.TryGetValue(key, out var span))
            {
                if (span is null)
                {
                    return (null, $"`postgres.{key}` is not a single value");
                }

                edits.Add((span.Value.Start, span.Value.End, value));
            }
            else
            {
                edits.Add((postgres.FirstLineStart, postgres.FirstLineStart, $"{new string(' ', postgres.Indent)}{key}: {value}{newline}"));
            }
        }

        var result = text;
        foreach (var (start, end, replacement) in edits.OrderByDescending(e => e.Start).ThenByDescending(e => e.End))
        {
            result = string.Concat(result.AsSpan(0, start), replacement, result.AsSpan(end));
        }

        return (result, null);
    }

    private sealed record JobBlock(string? Name, PostgresBlock? Postgres);

    /// <summary>Where a block <c>postgres:</c> mapping's entries start, and each scalar value's span (null: not a scalar).</summary>
    private sealed record PostgresBlock(int FirstLineStart, int Indent, Dictionary<string, (int Start, int End)?> Values);

    private static List<JobBlock> JobBlocks(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        if (!parser.Accept<MappingStart>(out _))
        {
            return [];
        }

        var result = new List<JobBlock>();
        var (root, jobsList) = ReadJob(parser, text);
        if (jobsList)
        {
            return JobList(text);
        }

        result.Add(root);
        return result;
    }

    /// <summary>The items of <c>jobs:</c>, read by a second pass (the first only saw that the file holds a list).</summary>
    private static List<JobBlock> JobList(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        parser.Consume<MappingStart>();
        var result = new List<JobBlock>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            if (key.Value != "jobs" || !parser.TryConsume<SequenceStart>(out _))
            {
                parser.SkipThisAndNestedEvents();
                continue;
            }

            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                if (parser.Accept<MappingStart>(out _))
                {
                    result.Add(ReadJob(parser, text).Job);
                }
                else
                {
                    parser.SkipThisAndNestedEvents();
                }
            }
        }

        return result;
    }

    /// <summary>Reads one job mapping (the parser is at its start); also says whether it is the file's <c>jobs:</c> holder.</summary>
    private static (JobBlock Job, bool JobsList) ReadJob(IParser parser, string text)
    {
        parser.Consume<MappingStart>();
        string? name = null;
        PostgresBlock? postgres = null;
        var jobsList = false;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            if (!parser.TryConsume<Scalar>(out var key))
            {
                parser.SkipThisAndNestedEvents(); // a complex key: skip it and its value
                parser.SkipThisAndNestedEvents();
                continue;
            }

            switch (key.Value)
            {
                case "name" when parser.TryConsume<Scalar>(out var value):
                    name = value.Value;
                    break;
                case "jobs":
                    jobsList = true;
                    parser.SkipThisAndNestedEvents();
                    break;
                case "postgres" when parser.Accept<MappingStart>(out var start) && start.Style != MappingStyle.Flow:
                    postgres = ReadPostgres(parser, text);
                    break;
                default:
                    parser.SkipThisAndNestedEvents();
                    break;
            }
        }

        return (new JobBlock(name, postgres), jobsList);
    }

    private static PostgresBlock? ReadPostgres(IParser parser, string text)
    {
        parser.Consume<MappingStart>();
        var values = new Dictionary<string, (int Start, int End)?>(StringComparer.Ordinal);
        Mark? first = null;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var key = parser.Consume<Scalar>();
            first ??= key.Start;
            if (parser.TryConsume<Scalar>(out var value) && value.Start.Line == value.End.Line)
            {
                values[key.Value] = ((int)value.Start.Index, (int)value.End.Index);
            }
            else
            {
                values[key.Value] = null;
                if (value is null)
                {
                    parser.SkipThisAndNestedEvents();
                }
            }
        }

        if (first is not { } firstKey)
        {
            return null; // `postgres: {}` written as an empty block cannot be: an empty mapping is a flow mapping
        }

        var lineStart = text.LastIndexOf('\n', Math.Max(0, (int)firstKey.Index - 1)) + 1;
        return new PostgresBlock(lineStart, (int)firstKey.Index - lineStart, values);
    }
}
