using System.Collections.Immutable;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Decides whether two jobs can never share a node, from Nomad's own placement rules (v2.0.5). Only what is provably
/// disjoint counts; anything else is assumed to share a node:
/// <list type="bullet">
/// <item>different explicit regions (a node belongs to one region);</item>
/// <item>different explicit node pools, neither <c>all</c> (a node belongs to one pool; a job without a pool gets its
/// namespace's default, which the spec does not show: <c>scheduler/util.go</c> readyNodesInDCsAndPool);</item>
/// <item>datacenter lists without a datacenter both can match (<c>Node.IsInAnyDC</c>, nomad/structs/structs.go
/// l.2270-2277, matches each entry as a github.com/ryanuber/go-glob pattern, <c>*</c> being its only wildcard);</item>
/// <item>constraints on the same target that no node can satisfy together: <c>=</c>/<c>==</c>/<c>is</c> with different
/// literal values, <c>=</c> against <c>!=</c>/<c>not</c> of the same value, a value or <c>is_set</c> against
/// <c>is_not_set</c> (<c>checkConstraint</c> and <c>resolveTarget</c>, scheduler/feasible/feasible.go l.1085-1175:
/// a target not starting with <c>${</c> is a literal; <c>=</c> needs the attribute to be present and equal as a
/// string).</item>
/// </list>
/// </summary>
internal static class NodeSeparation
{
    /// <summary>Why no node can run both jobs, or null when they may share one.</summary>
    public static string? Reason(Job a, Job b)
    {
        if (a.Region is { } regionA && b.Region is { } regionB && !string.Equals(regionA, regionB, StringComparison.Ordinal))
        {
            return $"region \"{Echo.Value(regionA)}\" of job \"{a.Name}\" vs \"{Echo.Value(regionB)}\" of job \"{b.Name}\"";
        }

        if (a.NodePool is { } poolA && b.NodePool is { } poolB && poolA != AllPool && poolB != AllPool && !string.Equals(poolA, poolB, StringComparison.Ordinal))
        {
            return $"node pool \"{Echo.Value(poolA)}\" of job \"{a.Name}\" vs \"{Echo.Value(poolB)}\" of job \"{b.Name}\"";
        }

        if (!a.Datacenters.IsDefaultOrEmpty && !b.Datacenters.IsDefaultOrEmpty && a.Datacenters.All(x => b.Datacenters.All(y => DatacentersDisjoint(x, y))))
        {
            return $"datacenters [{List(a.Datacenters)}] of job \"{a.Name}\" and [{List(b.Datacenters)}] of job \"{b.Name}\" have no datacenter in common";
        }

        var factsA = Facts(a.Constraints);
        var factsB = Facts(b.Constraints);
        foreach (var fact in factsA)
        {
            foreach (var other in factsB)
            {
                if (fact.Target == other.Target && Contradict(fact, other))
                {
                    return $"constraint {fact.Describe()} of job \"{a.Name}\" vs {other.Describe()} of job \"{b.Name}\"";
                }
            }
        }

        return null;
    }

    /// <summary>Nomad's pseudo pool that holds every node (structs.NodePoolAll).</summary>
    private const string AllPool = "all";

    private static string List(ImmutableArray<string> values) => string.Join(", ", values.Select(v => Echo.Value(v)));

    private enum Test
    {
        Equal,
        NotEqual,
        IsSet,
        IsNotSet,
    }

    /// <summary>One constraint read as a test of a node target: <c>${node.unique.name} = nas01</c>.</summary>
    private sealed record Fact(string Target, Test Test, string? Value)
    {
        public string Describe() => Test switch
        {
            Test.Equal => $"{Echo.Value(Target)} = \"{Echo.Value(Value!)}\"",
            Test.NotEqual => $"{Echo.Value(Target)} != \"{Echo.Value(Value!)}\"",
            Test.IsSet => $"{Echo.Value(Target)} is_set",
            _ => $"{Echo.Value(Target)} is_not_set",
        };
    }

    private static bool Contradict(Fact x, Fact y) => (x.Test, y.Test) switch
    {
        (Test.Equal, Test.Equal) => !string.Equals(x.Value, y.Value, StringComparison.Ordinal),
        (Test.Equal, Test.NotEqual) or (Test.NotEqual, Test.Equal) => string.Equals(x.Value, y.Value, StringComparison.Ordinal),
        (Test.Equal or Test.IsSet, Test.IsNotSet) or (Test.IsNotSet, Test.Equal or Test.IsSet) => true,
        _ => false,
    };

    private static List<Fact> Facts(ImmutableArray<Constraint> constraints)
    {
        var facts = new List<Fact>();
        foreach (var constraint in constraints.IsDefault ? [] : constraints)
        {
            var test = constraint.Operator switch
            {
                "=" or "==" or "is" => Test.Equal,
                "!=" or "not" => Test.NotEqual,
                "is_set" => Test.IsSet,
                "is_not_set" => Test.IsNotSet,
                _ => (Test?)null,
            };
            if (test is null || constraint.Attribute is not { Length: > 0 } left)
            {
                continue;
            }

            if (test is Test.IsSet or Test.IsNotSet)
            {
                if (IsTarget(left))
                {
                    facts.Add(new Fact(left, test.Value, null));
                }

                continue;
            }

            // Equality is symmetric: the node target may stand on either side, the other side must be a literal.
            var right = constraint.Value ?? string.Empty;
            if (IsTarget(left) && !IsTarget(right) && right.Length > 0)
            {
                facts.Add(new Fact(left, test.Value, right));
            }
            else if (IsTarget(right) && !IsTarget(left))
            {
                facts.Add(new Fact(right, test.Value, left));
            }
        }

        return facts;
    }

    /// <summary>resolveTarget: anything starting with <c>${</c> is read from the node, everything else is a literal.</summary>
    private static bool IsTarget(string value) => value.StartsWith("${", StringComparison.Ordinal);

    /// <summary>
    /// True when no datacenter name can match both entries (each a name or a go-glob pattern in which <c>*</c> matches
    /// any run of characters). A match of a pattern starts with the text before its first <c>*</c> and ends with the
    /// text after its last one (a name is its own prefix and suffix); when two entries' prefixes or suffixes cannot
    /// agree, nothing matches both. Anything else may match both.
    /// </summary>
    internal static bool DatacentersDisjoint(string x, string y)
    {
        if (!x.Contains('*', StringComparison.Ordinal) && !y.Contains('*', StringComparison.Ordinal))
        {
            return !string.Equals(x, y, StringComparison.Ordinal);
        }

        var (prefixX, suffixX) = Ends(x);
        var (prefixY, suffixY) = Ends(y);
        var prefixesAgree = prefixX.StartsWith(prefixY, StringComparison.Ordinal) || prefixY.StartsWith(prefixX, StringComparison.Ordinal);
        var suffixesAgree = suffixX.EndsWith(suffixY, StringComparison.Ordinal) || suffixY.EndsWith(suffixX, StringComparison.Ordinal);
        return !prefixesAgree || !suffixesAgree;

        static (string Prefix, string Suffix) Ends(string entry) => entry.Contains('*', StringComparison.Ordinal)
            ? (entry[..entry.IndexOf('*', StringComparison.Ordinal)], entry[(entry.LastIndexOf('*') + 1)..])
            : (entry, entry);
    }
}
