using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>Nomad's error and warning lists (go-multierror v1.1, helper/warning.go) read item by item.</summary>
public sealed class NomadMessagesTests
{
    [Test]
    public void A_nested_validation_error_folds_onto_one_line()
    {
        var fixture = JsonNode.Parse(Fixtures.Read("validate-invalid.json"))!;

        var fromError = NomadMessages.Items(fixture["Error"]!.GetValue<string>());
        var fromList = NomadMessages.Items(fixture["ValidationErrors"]![0]!.GetValue<string>());

        const string expected = "Task group myservice validation failed: Task postgres validation failed: minimum MemoryMB value is 10; got 1";
        Assert.Multiple(() =>
        {
            Assert.That(fromError, Is.EqualTo(new[] { expected }));
            Assert.That(fromList, Is.EqualTo(new[] { expected }), "an item that is no list is one line too");
        });
    }

    [Test]
    public void Warnings_are_split_at_their_bullets_and_nested_lists_fold_in()
    {
        var plan = JsonNode.Parse(Fixtures.Read("plan-new-job-missing-host-volumes.json"))!["Warnings"]!.GetValue<string>();
        var validate = JsonNode.Parse(Fixtures.Read("validate-invalid.json"))!["Warnings"]!.GetValue<string>();

        var planItems = NomadMessages.Items(plan);
        var validateItems = NomadMessages.Items(validate);

        Assert.Multiple(() =>
        {
            Assert.That(planItems, Has.Count.EqualTo(3));
            Assert.That(planItems, Has.All.StartWith("Memory oversubscription is not enabled; Task \"myservice."));
            Assert.That(validateItems, Is.EqualTo(new[]
            {
                "Group \"myservice\" has warnings: Update max parallel count is greater than task group count (2 > 1). A destructive change would result in the simultaneous replacement of all allocations.",
            }));
        });
    }

    [TestCase("2 errors occurred:\n\t* first\n\t* second\n\n", new[] { "first", "second" })]
    [TestCase("1 error(s) occurred:\n\n* older servers' form", new[] { "older servers' form" })]
    [TestCase("1 warning(s):\n\n* older warning", new[] { "older warning" })]
    [TestCase("outer: 2 errors occurred:\n\t* a\n\t* b\n\n", new[] { "outer: a; b" })]
    [TestCase("Permission denied", new[] { "Permission denied" })]
    [TestCase("  ", new string[0])]
    public void Reads_each_form(string text, string[] expected) =>
        Assert.That(NomadMessages.Items(text), Is.EqualTo(expected));

    [Test]
    public void Several_nested_errors_are_joined_with_semicolons()
    {
        var text = "1 error occurred:\n\t* Task group g validation failed: 2 errors occurred:\n\t* Missing task driver\n\t* Missing task resources\n\n\n\n";

        Assert.That(NomadMessages.Items(text), Is.EqualTo(new[] { "Task group g validation failed: Missing task driver; Missing task resources" }));
    }
}
