namespace NomadDbPatterns.Spec;

// What a spec key accepts, said where the key is declared (SpecTypes.cs) for the JSON Schema that the tests generate
// from the spec types. They name the constants the mapper and the validators use (SpecWords, Rules' patterns, the
// validators' bounds, Defaults), never a second copy: nomad-db itself does not read these attributes.

/// <summary>
/// The key must be given (and not be <c>~</c>): nomad-db reports the spec without it. On a class, it names keys the
/// class inherits (by their C# property names).
/// </summary>
/// <param name="properties">On a class: the inherited properties that are required.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class)]
internal sealed class SpecRequiredAttribute(params string[] properties) : Attribute
{
    /// <summary>On a class: the inherited properties that are required.</summary>
    public IReadOnlyList<string> Properties { get; } = properties;
}

/// <summary>Exactly one of the keys is given (a secret comes from <c>nomadVar</c> or from <c>vault</c>).</summary>
/// <param name="properties">The C# property names.</param>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SpecExactlyOneAttribute(params string[] properties) : Attribute
{
    /// <summary>The C# property names.</summary>
    public IReadOnlyList<string> Properties { get; } = properties;
}

/// <summary>The key takes one word of a <see cref="SpecWords"/> set.</summary>
/// <param name="set">The name of the <see cref="SpecWords"/> property.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecWordsAttribute(string set) : Attribute
{
    /// <summary>The name of the <see cref="SpecWords"/> property.</summary>
    public string Set { get; } = set;
}

/// <summary>The key's text (each item's, for a list) matches a regular expression, e.g. <see cref="Validation.Rules.NamePattern"/>.</summary>
/// <param name="pattern">The pattern, in the syntax .NET and ECMAScript read alike.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecPatternAttribute(string pattern) : Attribute
{
    /// <summary>The pattern.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>The longest text accepted, or 0 for no limit beyond the pattern's.</summary>
    public int MaxLength { get; init; }
}

/// <summary>The names of a mapping's keys (a dictionary's) match a regular expression, e.g. environment variable names.</summary>
/// <param name="pattern">The pattern.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecKeyPatternAttribute(string pattern) : Attribute
{
    /// <summary>The pattern.</summary>
    public string Pattern { get; } = pattern;
}

/// <summary>The whole number's bounds (inclusive); <see cref="int.MinValue"/> or <see cref="int.MaxValue"/> for none.</summary>
/// <param name="minimum">The lowest value.</param>
/// <param name="maximum">The highest value.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecRangeAttribute(int minimum, int maximum = int.MaxValue) : Attribute
{
    /// <summary>The lowest value.</summary>
    public int Minimum { get; } = minimum;

    /// <summary>The highest value.</summary>
    public int Maximum { get; } = maximum;
}

/// <summary>A list key needs at least one item (<c>[]</c> is an error; leaving the key out is not).</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecNonEmptyAttribute : Attribute;

/// <summary>
/// The value a key left out gets: a static member of <paramref name="type"/> (a constant of
/// <see cref="Model.Defaults"/>, or the model record built from them), followed through <paramref name="members"/>
/// (<c>typeof(UpdatePolicy), nameof(UpdatePolicy.Stateful), nameof(UpdatePolicy.MinHealthyTime)</c>). A model enum value is
/// written as the word of the key's <see cref="SpecWordsAttribute"/> set.
/// </summary>
/// <param name="type">The type holding the first member.</param>
/// <param name="members">The member path.</param>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SpecDefaultAttribute(Type type, params string[] members) : Attribute
{
    /// <summary>The type holding the first member.</summary>
    public Type Type { get; } = type;

    /// <summary>The member path.</summary>
    public IReadOnlyList<string> Members { get; } = members;
}
