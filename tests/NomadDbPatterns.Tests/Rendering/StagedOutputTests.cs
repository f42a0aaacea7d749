using NomadDbPatterns.Rendering;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Rendering;

/// <summary>Rendered files reach their directory together or not at all, and unchanged files are not rewritten.</summary>
[TestFixture]
public sealed class StagedOutputTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("nomad-db-staged-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Nothing_changes_until_commit_and_disposing_without_commit_leaves_no_trace()
    {
        File.WriteAllText(Path.Combine(_directory, "a.nomad.hcl"), "old\n");
        using (var output = new StagedOutput(_directory))
        {
            output.Write("a.nomad.hcl", "new\n");
            output.Write("b.nomad.hcl", "b\n");
            Assert.That(File.ReadAllText(Path.Combine(_directory, "a.nomad.hcl")), Is.EqualTo("old\n"));
            Assert.That(File.Exists(Path.Combine(_directory, "b.nomad.hcl")), Is.False);
        }

        Assert.That(Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName), Is.EqualTo(new[] { "a.nomad.hcl" }));
        Assert.That(File.ReadAllText(Path.Combine(_directory, "a.nomad.hcl")), Is.EqualTo("old\n"));
    }

    [Test]
    public void Commit_moves_every_file_into_place_as_UTF8_without_BOM()
    {
        using (var output = new StagedOutput(_directory))
        {
            output.Write("a.nomad.hcl", "ä \uD83D\uDE00\n");
            output.Write("b.nomad.hcl", "b\n");
            output.Commit();
        }

        Assert.That(Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "a.nomad.hcl", "b.nomad.hcl" }));
        Assert.That(File.ReadAllBytes(Path.Combine(_directory, "a.nomad.hcl")), Is.EqualTo("ä \uD83D\uDE00\n"u8.ToArray()));
    }

    [Test]
    public void An_unchanged_file_is_not_rewritten()
    {
        var path = Path.Combine(_directory, "a.nomad.hcl");
        File.WriteAllText(path, "same\n");
        var written = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);
        using (var output = new StagedOutput(_directory))
        {
            output.Write("a.nomad.hcl", "same\n");
            output.Commit();
        }

        Assert.That(File.GetLastWriteTimeUtc(path), Is.EqualTo(written));
    }

    [Test]
    public void Two_files_of_the_same_name_are_refused()
    {
        using var output = new StagedOutput(_directory);
        output.Write("a.nomad.hcl", "one\n");

        Assert.That(() => output.Write("a.nomad.hcl", "two\n"), Throws.InvalidOperationException.With.Message.Contains("same file 'a.nomad.hcl'"));
    }
}
