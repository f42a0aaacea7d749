using NomadDbPatterns.Legacy;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace NomadDbPatterns.Tests.Legacy;

/// <summary>The migration's spec text: each value is emitted by YamlDotNet and reads back as written, in block and flow places.</summary>
public class SpecYamlTests
{
    private static readonly string[] Awkward =
    [
        "homelab", "", " lead", "trail ", "a,b", "7d", "true", "yes", "No", "~", "null", "17", "0755", "1:30", "0x1F", ".5",
        "-", "#x", "a #b", "a: b", "*x", "&x", "!x", "%x", "@x", "[x]", "{x}", "x]", "'q'", "\"d\"", "line1\nline2",
        "a\r\nb", "tab\tx", "ctl\u0001", "é", "\u2028", "\u0085", "${attr.kernel.name}", "0 0 * * *", "?x", "|x", ">x",
        "...", "---", "emoji\U0001F600", new string('x', 300) + " " + new string('y', 300),
    ];

    [TestCaseSource(nameof(Awkward))]
    public void A_scalar_reads_back_as_the_same_string_on_one_line(string value)
    {
        var str = SpecYaml.Str(value);
        var quoted = SpecYaml.Quoted(value);
        Assert.That(str + quoted, Does.Not.Contain('\n'), "a value stays on its line of the hand-written layout");

        var text = $"a: {str}\nb: {{ k: {str}, j: {quoted} }}\nc: [{str}, {quoted}]\nd: {quoted}\ne: {SpecYaml.List([value, value])}\n";
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var flowMapping = (YamlMappingNode)root["b"];
        var sequence = (YamlSequenceNode)root["c"];
        var list = (YamlSequenceNode)root["e"];
        string[] read =
        [
            Value(root["a"]), Value(flowMapping["k"]), Value(flowMapping["j"]), Value(root["d"]),
            .. sequence.Children.Select(Value), .. list.Children.Select(Value),
        ];
        Assert.That(read, Is.EqualTo(Enumerable.Repeat(value, 8)));
    }

    [TestCase("true")]
    [TestCase("yes")]
    [TestCase("17")]
    [TestCase("null")]
    [TestCase("")]
    public void Strings_that_would_read_as_another_type_are_double_quoted(string value) =>
        Assert.That(SpecYaml.Str(value), Is.EqualTo($"\"{value}\""));

    [Test]
    public void Plain_where_yaml_allows_it()
    {
        Assert.That(SpecYaml.Str("secret/data/postgres/vaultwarden"), Is.EqualTo("secret/data/postgres/vaultwarden"));
        Assert.That(SpecYaml.List(["homelab", "b,c"]), Is.EqualTo("[homelab, 'b,c']"));
        Assert.That(SpecYaml.Num(17), Is.EqualTo("17"));
        Assert.That(SpecYaml.Bool(true), Is.EqualTo("true"));
    }

    private static string Value(YamlNode node) => ((YamlScalarNode)node).Value ?? throw new InvalidOperationException("null scalar");
}
