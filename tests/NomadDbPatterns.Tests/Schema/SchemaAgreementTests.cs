using NomadDbPatterns.Cli.Commands;
using NomadDbPatterns.Tests.Infrastructure;
using NomadDbPatterns.Validation;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Schema;

/// <summary>
/// The schemas and nomad-db agree on invalid specs: every file of <c>Schema/Invalid/</c> is rejected by nomad-db
/// (loaded and validated as <c>nomad-db validate</c> does, with the error codes its header names), and by a real
/// yaml-language-server under the combined schema and under its kind's schema, unless its header says why the schema
/// cannot tell (a rule across keys or items, a value of another file); those the schema accepts, so that the marks
/// stay true.
/// </summary>
/// <remarks>
/// A case file starts with <c># cli: NDB003 [NDB…]</c> and either <c># schema: MESSAGE PART</c> (what the editor shows
/// for it) or <c># schema cannot tell: WHY</c>. A name ending in <c>.nomad-db.yaml</c> is a fleet defaults file (read
/// as <c>nomad-db.yaml</c>).
/// </remarks>
[TestFixture]
public sealed class SchemaAgreementTests
{
    private YamlLanguageServer? _server;
    private Dictionary<string, (IReadOnlyList<YamlDiagnostic> Combined, IReadOnlyList<YamlDiagnostic> Kind)> _editor = [];

    private static string CorpusDirectory => Path.Combine(RepoPaths.TestProject, "Schema", "Invalid");

    private sealed record Case(string Name, string Text, IReadOnlyList<string> CliCodes, string? SchemaMessage, string? CannotTell)
    {
        public bool IsDefaultsFile => Name.EndsWith(".nomad-db", StringComparison.Ordinal);

        /// <summary>The schema kind of the file, as nomad-db tells it (the file name, then <c>kind:</c>).</summary>
        public string Kind => IsDefaultsFile ? "defaults" : Text.Contains("kind: shared-postgres", StringComparison.Ordinal) ? "shared-postgres" : "service";

        public static Case Load(string path)
        {
            var text = File.ReadAllText(path);
            var header = text.Split('\n').TakeWhile(l => l.StartsWith('#')).ToList();
            string? Field(string name) => header.Where(l => l.StartsWith($"# {name}:", StringComparison.Ordinal)).Select(l => l[(name.Length + 3)..].Trim()).SingleOrDefault();
            var cli = Field("cli") ?? throw new InvalidOperationException($"{path}: no `# cli: CODE` line");
            var message = Field("schema");
            var cannot = Field("schema cannot tell");
            if ((message is null) == (cannot is null))
            {
                throw new InvalidOperationException($"{path}: give either `# schema: MESSAGE` or `# schema cannot tell: WHY`");
            }

            return new Case(Path.GetFileNameWithoutExtension(path), text, cli.Split(' ', StringSplitOptions.RemoveEmptyEntries), message, cannot);
        }
    }

    private static IEnumerable<Case> Corpus() =>
        Directory.EnumerateFiles(CorpusDirectory, "*.yaml").Order(StringComparer.Ordinal).Select(Case.Load);

    private static IEnumerable<TestCaseData> Cases() => Corpus().Select(c => new TestCaseData(c.Name).SetName($"Invalid({c.Name})"));

    [OneTimeSetUp]
    public void AskTheEditorOnce()
    {
        _server = YamlLanguageServer.Start();
        var corpus = Corpus().ToList();
        string Under(Case c, string kind) => $"# yaml-language-server: $schema={YamlLanguageServer.UriOf(RepoPaths.Combine("examples", SpecSchema.Kind(kind).FileName))}\n{c.Text}";
        var documents = corpus.SelectMany(c => new[]
        {
            ($"file:///nomad-db-schema-corpus/all/{c.Name}.yaml", Under(c, SpecSchema.All)),
            ($"file:///nomad-db-schema-corpus/{c.Kind}/{c.Name}.yaml", Under(c, c.Kind)),
        }).ToList();
        var diagnostics = _server.Diagnostics(documents);
        _editor = corpus.Select((c, i) => (c.Name, Diagnostics: (diagnostics[2 * i], diagnostics[(2 * i) + 1])))
            .ToDictionary(x => x.Name, x => x.Diagnostics, StringComparer.Ordinal);
    }

    [OneTimeTearDown]
    public void StopTheEditor() => _server?.Dispose();

    [Test]
    public void The_corpus_covers_the_kinds_of_mistakes()
    {
        var corpus = Corpus().ToList();
        Assert.That(corpus.Count(c => c.SchemaMessage is not null), Is.GreaterThanOrEqualTo(30), "cases the schema can tell");
        Assert.That(corpus.Count(c => c.CannotTell is not null), Is.GreaterThanOrEqualTo(10), "cases only nomad-db can tell");
        Assert.That(corpus.Select(c => c.Kind).Distinct(), Is.EquivalentTo(new[] { "service", "shared-postgres", "defaults" }));
        Assert.That(corpus.SelectMany(c => c.CliCodes).Distinct(), Is.SupersetOf(new[] { ErrorCodes.UnknownKey, ErrorCodes.WrongType, ErrorCodes.Required, ErrorCodes.InvalidValue, ErrorCodes.InvalidName, ErrorCodes.UnknownPreset }));
    }

    [TestCaseSource(nameof(Cases))]
    public void Invalid(string name)
    {
        var @case = Corpus().Single(c => c.Name == name);

        var errors = CliErrors(@case);
        Assert.That(errors, Is.Not.Empty, "nomad-db accepts it");
        Assert.That(errors.Select(e => e.Code), Is.SupersetOf(@case.CliCodes), "nomad-db rejects it for another reason: " + string.Join("; ", errors));

        var (combined, kind) = _editor[name];
        if (@case.SchemaMessage is { } message)
        {
            foreach (var (schema, diagnostics) in new[] { (SpecSchema.All, combined), (@case.Kind, kind) })
            {
                var fromSchema = diagnostics.Where(d => d.Source?.StartsWith("yaml-schema", StringComparison.Ordinal) == true).ToList();
                Assert.That(fromSchema, Is.Not.Empty, $"the {schema} schema accepts it; the editor says: {string.Join("; ", diagnostics)}");
                Assert.That(fromSchema.Select(d => d.Message), Has.Some.Contains(message), $"under the {schema} schema: {string.Join("; ", fromSchema)}");
                Assert.That(fromSchema.Select(d => d.Message), Has.None.Contains("Expected \"null\""), "the message names the problem, not null");
            }
        }
        else
        {
            Assert.That(combined.Concat(kind), Is.Empty, $"marked `schema cannot tell: {@case.CannotTell}`, but the editor reports it: update the mark");
        }
    }

    /// <summary>
    /// A valid service with every section the fleet defaults fill in: nomad-db checks a default's value when a job
    /// takes it (a word such as <c>backup.placement</c> is read for the job), so a defaults case is read with it.
    /// </summary>
    private const string JobTakingDefaults = """
        name: wiki
        app:
          image: ghcr.io/example/wiki:1.0
        postgres:
          password: { nomadVar: nomad/jobs/wiki }
        backup:
          schedule: "0 3 * * *"

        """;

    /// <summary>The errors nomad-db reports for the case, read from its own directory (fleet defaults apply per directory).</summary>
    private static IReadOnlyList<Diagnostic> CliErrors(Case @case)
    {
        var directory = Directory.CreateTempSubdirectory("nomad-db-schema-case-");
        try
        {
            var file = Path.Combine(directory.FullName, @case.IsDefaultsFile ? "nomad-db.yaml" : "spec.yaml");
            File.WriteAllText(file, @case.Text);
            string[] files = [file];
            if (@case.IsDefaultsFile)
            {
                var job = Path.Combine(directory.FullName, "wiki.yaml");
                File.WriteAllText(job, JobTakingDefaults);
                files = [file, job];
            }

            return [.. NomadDb.Render(files).Diagnostics.Where(d => d.Severity == Severity.Error)];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
