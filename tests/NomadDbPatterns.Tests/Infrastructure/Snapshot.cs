using System.Text;
using NUnit.Framework;

namespace NomadDbPatterns.Tests.Infrastructure;

/// <summary>
/// Snapshot testing in the spirit of Verify: <c>NAME.verified.EXT</c> is committed; on a mismatch
/// <c>NAME.received.EXT</c> is written beside it and the test fails with a readable diff. Accepting is deliberate:
/// set ACCEPT_SNAPSHOTS=1 locally (never honoured when CI=true), or move the received file over the verified one.
/// </summary>
public static class Snapshot
{
    public static void Verify(string name, string actual, string extension = "hcl")
    {
        var verified = Path.Combine(RepoPaths.Snapshots, $"{name}.verified.{extension}");
        var received = Path.Combine(RepoPaths.Snapshots, $"{name}.received.{extension}");
        var expected = File.Exists(verified) ? File.ReadAllText(verified) : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable("ACCEPT_SNAPSHOTS") == "1" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Directory.CreateDirectory(RepoPaths.Snapshots);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(RepoPaths.Snapshots);
        File.WriteAllText(received, actual);
        var message = expected is null
            ? $"No verified snapshot {Path.GetFileName(verified)}; wrote {Path.GetFileName(received)}. Review it, then accept it deliberately."
            : $"Snapshot {Path.GetFileName(verified)} differs; wrote {Path.GetFileName(received)}.\n{UnifiedDiff(expected, actual)}";
        Assert.Fail(message);
    }

    /// <summary>A small line diff (longest common subsequence) with three lines of context.</summary>
    public static string UnifiedDiff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Op, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var builder = new StringBuilder("--- verified\n+++ received\n");
        for (var i = 0; i < lines.Count; i++)
        {
            var near = false;
            for (var k = Math.Max(0, i - 3); k <= Math.Min(lines.Count - 1, i + 3); k++)
            {
                near |= lines[k].Op != ' ';
            }

            if (near)
            {
                builder.Append(lines[i].Op).Append(lines[i].Text).Append('\n');
            }
        }

        return builder.ToString();
    }
}
