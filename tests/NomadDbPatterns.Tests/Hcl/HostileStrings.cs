using CsCheck;

namespace NomadDbPatterns.Tests.HclSyntax;

/// <summary>CsCheck generators of strings that try to break HCL: quoting, template sequences, heredoc markers, Unicode.</summary>
internal static class HostileStrings
{
    /// <summary>Pieces that mean something to HCL, consul-template, heredocs or text handling.</summary>
    private static readonly string[] Atoms =
    [
        "\"", "\\", "\\\"", "\\n", "\\u0041", "$", "%", "{", "}", "${", "%{", "$${", "%%{", "$$${", "%%%{", "${x}", "${\"x\"}", "%{ if x }",
        "%{ endif }", "~}", "${~", "{{", "}}", "{{ .Data.data.password }}", "{{ with nomadVar \"nomad/jobs/x\" }}", "{{ end }}", "#", "//", "/*",
        "*/", "<<-EOH", "<<EOT", "=", "==", "[", "]", "(", ")", ",", "EOH", "EOT", "EOF", "END_OF_TEXT", " ", "  ", "\t", "\n", "\r", "\r\n",
        "\u00a0", "\u3000", "\u2028", "\u2029", "\u0085", "\u200b", "\u200d", "\ufeff", "\u202e", "\u061c", "é", "e\u0301", "\u0301",
        "n\u0303", "\u212b", "\u1100\u1161", "😀", "👩‍💻", "🇩🇪", "👍🏽", "日本語", "עברית", "العربية", "\U0001D400", "\ue000",
    ];

    /// <summary>
    /// Random characters come from long-established blocks only: HCL normalizes strings to NFC with Go's Unicode
    /// tables and the test with .NET's, which may differ for recently assigned characters.
    /// </summary>
    private static readonly (int From, int To)[] Blocks =
    [
        (0x20, 0x7e), (0xa0, 0xff), (0x100, 0x17f), (0x300, 0x36f), (0x370, 0x3ff), (0x400, 0x4ff), (0x590, 0x5ff), (0x600, 0x6ff),
        (0x900, 0x97f), (0x1100, 0x11ff), (0x2000, 0x206f), (0x3040, 0x30ff), (0x4e00, 0x9fff), (0xac00, 0xd7a3), (0xe000, 0xe0ff),
        (0x1d400, 0x1d4ff), (0x1f300, 0x1f64f), (0x1f900, 0x1f9ff),
    ];

    private static readonly Gen<string> BlockChar =
        Gen.Int[0, Blocks.Length - 1].SelectMany(b => Gen.Int[Blocks[b].From, Blocks[b].To]).Select(char.ConvertFromUtf32);

    private static readonly Gen<string> Control =
        Gen.Frequency((3, Gen.Int[0, 0x1f]), (1, Gen.Int[0x7f, 0x9f])).Select(code => ((char)code).ToString());

    private static readonly Gen<string> Plain = Gen.Char["abcxyzABC019 -_./:@"].Select(c => c.ToString());

    private static readonly Gen<string> Atom = Gen.Frequency((6, Gen.OneOf(Atoms)), (4, BlockChar), (4, Plain), (1, Control));

    /// <summary>Like <see cref="Atom"/> without line breaks and controls: the stuff of lines a heredoc can hold.</summary>
    private static readonly Gen<string> LineAtom = Gen.Frequency(
        (6, Gen.OneOf(Atoms.Where(a => !a.Contains('\n') && !a.Contains('\r') && a.All(c => c >= ' ' && c is not ('\u2028' or '\u2029' or '\u0085' or '\u202e' or '\u061c'))).ToArray())),
        (4, BlockChar),
        (6, Plain));

    private static readonly Gen<string> Flat = Atom.Array[0, 12].Select(string.Concat);

    private static readonly Gen<string> Indent = Gen.OneOf("", "", "", "", " ", "  ", "    ", "\t", "\u00a0", " \t");

    private static readonly Gen<string> Line = Gen.Select(Indent, LineAtom.Array[0, 8].Select(string.Concat), Gen.OneOf("", "", "", " ", "\t"),
        (indent, text, trailing) => indent + text + trailing);

    /// <summary>Multi-line text, often heredoc-shaped (final newline, an unindented line), sometimes with a marker line.</summary>
    private static readonly Gen<string> Lines = Gen.Select(
        Gen.Frequency((8, Line), (1, Gen.OneOf("EOH", "EOT", "EOF", "END_OF_TEXT", "  EOH", "EOH ", "", "   "))).Array[1, 6],
        Gen.Frequency((4, Gen.Const(true)), (1, Gen.Const(false))),
        (lines, finalNewline) => string.Join('\n', lines) + (finalNewline ? "\n" : string.Empty));

    private static readonly Gen<string> Whole = Gen.OneOf(
        "", " ", "\n", "\n\n", "EOH", "EOH\n", "a\nEOH\nb\n", "EOH\nEOT\nEOF\nEND_OF_TEXT\n", "  EOH\n", "${x}", "%{ if x }y%{ endif }", "$${x}",
        "%%{x}", "\\", "\"", "{{ .password }}", "\u0301\n", "\tx\ny\n", "a\n \nb\n");

    /// <summary>Any hostile string.</summary>
    public static readonly Gen<string> Any = Gen.Frequency((5, Flat), (5, Lines), (1, Whole));

    /// <summary>A hostile string without braces, for database settings whose {placeholders} the renderer resolves.</summary>
    public static readonly Gen<string> NoBraces = Any.Select(s => s.Replace('{', '(').Replace('}', ')'));
}
