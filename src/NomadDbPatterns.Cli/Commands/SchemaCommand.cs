using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db schema [-o FILE]</c>: the JSON Schema of the YAML spec format, generated from the spec types.</summary>
internal sealed class SchemaCommand(CliConsole console)
{
    public Command Build()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("schema", "Print the JSON Schema of the spec format (for editors: `# yaml-language-server: $schema=...`).\n\nExamples:\n  nomad-db schema -o nomad-db.schema.json") { output };
        command.SetAction(parse => Execute(parse.GetValue(output)));
        return command;
    }

    public int Execute(string? output)
    {
        var schema = SpecSchema.Json();
        if (output is null)
        {
            console.Out.Write(schema);
        }
        else
        {
            File.WriteAllText(output, schema);
            console.Info($"wrote {output}");
        }

        return ExitCodes.Ok;
    }
}
