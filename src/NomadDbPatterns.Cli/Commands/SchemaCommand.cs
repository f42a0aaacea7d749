using System.CommandLine;

namespace NomadDbPatterns.Cli.Commands;

/// <summary><c>nomad-db schema [--kind KIND] [-o FILE]</c>: a JSON Schema of the YAML spec format, generated from the spec types.</summary>
internal sealed class SchemaCommand(CliConsole console)
{
    public Command Build()
    {
        var kinds = string.Join("; ", SpecSchema.Kinds.Select(k => $"{k.Name}: {k.Describes}"));
        var kind = new Option<string>("--kind") { Description = $"Which file the schema describes ({kinds})", DefaultValueFactory = _ => SpecSchema.All };
        kind.AcceptOnlyFromAmong([.. SpecSchema.Kinds.Select(k => k.Name)]);
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var command = new Command("schema",
            "Print the JSON Schema (draft 2020-12) of the spec format, for editors: `# yaml-language-server: $schema=nomad-db.schema.json` "
            + "(`nomad-db init` writes that file beside the spec it creates).\n\n"
            + "Examples:\n  nomad-db schema -o nomad-db.schema.json\n  nomad-db schema --kind defaults -o nomad-db.defaults.schema.json")
        {
            kind, output,
        };
        command.SetAction(parse => Execute(parse.GetValue(kind)!, parse.GetValue(output)));
        return command;
    }

    public int Execute(string kind, string? output)
    {
        var schema = SpecSchema.Json(kind);
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
