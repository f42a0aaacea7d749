using System.Text.Json.Nodes;

namespace NomadDbPatterns.Nomad.Tests;

/// <summary>The Variables API calls <c>nomad-db run</c> publishes the scripts with, against the fake Nomad.</summary>
public sealed class VariableTests
{
    private static readonly Dictionary<string, string> Scripts = new() { ["backup_lib"] = "lib v2\n", ["pg_backup"] = "pg v2\n" };

    private static FakeResponse Variable(ulong index, params (string Key, string Value)[] items) =>
        new(200, new JsonObject
        {
            ["Namespace"] = "apps",
            ["Path"] = "nomad/jobs",
            ["Items"] = new JsonObject(items.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)JsonValue.Create(i.Value)))),
            ["ModifyIndex"] = index,
        }.ToJsonString());

    [Test]
    public async Task A_missing_variable_is_created_with_cas_0()
    {
        await using var server = FakeNomadServer.Start(r => r.Method == "GET" ? FakeResponse.Error(404, "variable not found") : new FakeResponse(200, r.Body));
        using var client = server.Client();

        Assert.That(await client.SetVariableItemsAsync("nomad/jobs", "apps", Scripts), Is.True);

        var put = server.Requests.Single(r => r.Method == "PUT");
        Assert.That((put.Path, put.Query), Is.EqualTo(("/v1/var/nomad/jobs", "?namespace=apps&cas=0")));
        var body = JsonNode.Parse(put.Body)!;
        Assert.That(body["Path"]!.GetValue<string>(), Is.EqualTo("nomad/jobs"));
        Assert.That(body["Namespace"]!.GetValue<string>(), Is.EqualTo("apps"));
        Assert.That(body["Items"]!["pg_backup"]!.GetValue<string>(), Is.EqualTo("pg v2\n"));
    }

    [Test]
    public async Task Other_items_are_kept_and_the_write_is_checked_against_the_read_index()
    {
        await using var server = FakeNomadServer.Start(r => r.Method == "GET"
            ? Variable(41, ("backup_lib", "lib v1\n"), ("someone_elses", "keep me"))
            : new FakeResponse(200, r.Body));
        using var client = server.Client();

        Assert.That(await client.SetVariableItemsAsync("nomad/jobs", "apps", Scripts), Is.True);

        var put = server.Requests.Single(r => r.Method == "PUT");
        Assert.That(put.Query, Is.EqualTo("?namespace=apps&cas=41"));
        var items = JsonNode.Parse(put.Body)!["Items"]!.AsObject().ToDictionary(i => i.Key, i => i.Value!.GetValue<string>());
        Assert.That(items, Is.EquivalentTo(new Dictionary<string, string> { ["backup_lib"] = "lib v2\n", ["pg_backup"] = "pg v2\n", ["someone_elses"] = "keep me" }));
    }

    [Test]
    public async Task Unchanged_scripts_are_not_written()
    {
        await using var server = FakeNomadServer.Start(_ => Variable(7, ("backup_lib", "lib v2\n"), ("pg_backup", "pg v2\n")));
        using var client = server.Client();
        Assert.That(await client.SetVariableItemsAsync("nomad/jobs", "apps", Scripts), Is.False);
        Assert.That(server.Requests.Select(r => r.Method), Is.EqualTo(new[] { "GET" }));
    }

    [Test]
    public async Task A_conflicting_writer_is_merged_with_after_reading_again()
    {
        var reads = 0;
        await using var server = FakeNomadServer.Start(r => r.Method == "GET"
            ? ++reads == 1 ? Variable(5) : Variable(6, ("added_meanwhile", "x"))
            : r.Query.EndsWith("cas=5", StringComparison.Ordinal) ? new FakeResponse(409, Variable(6, ("added_meanwhile", "x")).Body) : new FakeResponse(200, r.Body));
        using var client = server.Client();

        Assert.That(await client.SetVariableItemsAsync("nomad/jobs", "apps", Scripts), Is.True);

        var puts = server.Requests.Where(r => r.Method == "PUT").ToList();
        Assert.That(puts.Select(p => p.Query), Is.EqualTo(new[] { "?namespace=apps&cas=5", "?namespace=apps&cas=6" }));
        Assert.That(JsonNode.Parse(puts[1].Body)!["Items"]!["added_meanwhile"]!.GetValue<string>(), Is.EqualTo("x"));
    }

    [Test]
    public async Task Items_beyond_64_KiB_with_the_others_are_refused_before_writing()
    {
        await using var server = FakeNomadServer.Start(_ => Variable(3, ("big", new string('x', 65530))));
        using var client = server.Client();
        var error = await Assert.ThrowsAsync<NomadException>(() => client.SetVariableItemsAsync("nomad/jobs", "apps", Scripts));
        Assert.That(error!.Message, Does.Contain("65536"));
        Assert.That(server.Requests.Select(r => r.Method), Has.None.EqualTo("PUT"));
    }
}
