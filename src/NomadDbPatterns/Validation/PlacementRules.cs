using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Text.RegularExpressions;
using FluentValidation;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Rules for where a job runs, shared by the service job's and the shared instance's validators (FluentValidation rule
/// extensions, so each rule is written once).
/// </summary>
internal static partial class PlacementRules
{
    /// <summary>A namespace name as Nomad defines it (validNamespaceName, nomad/structs/structs.go l.227 at v2.0.5).</summary>
    [GeneratedRegex("^[a-zA-Z0-9-]{1,128}$")]
    private static partial Regex NamespaceName();

    /// <summary>A node pool name as Nomad defines it (validNodePoolName, nomad/structs/node_pool.go l.41 at v2.0.5).</summary>
    [GeneratedRegex("^[a-zA-Z0-9-_]{1,128}$")]
    private static partial Regex NodePoolName();

    /// <summary>The job name, datacenters, priority, namespace and node pool: the same rules for every kind of job.</summary>
    public static void JobPlacement<T>(
        this AbstractValidator<T> validator,
        Expression<Func<T, string>> name,
        Expression<Func<T, ImmutableArray<string>>> datacenters,
        Expression<Func<T, int?>> priority,
        Expression<Func<T, string?>> @namespace,
        Expression<Func<T, string?>> nodePool)
    {
        validator.RuleFor(name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => string.IsNullOrEmpty(value) ? "a job name is required" : $"'{Echo.Value(value)}' is not a valid job name (lower-case letters, digits, '-' and '_', at most 63 characters)");
        validator.RuleFor(datacenters).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("at least one datacenter is required");
        // RuleForEach needs an IEnumerable; the Convert keeps the member name, so paths stay datacenters[i].
        validator.RuleForEach<string>(Expression.Lambda<Func<T, IEnumerable<string>>>(Expression.Convert(datacenters.Body, typeof(IEnumerable<string>)), datacenters.Parameters)).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue).WithMessage("datacenter names cannot be empty");
        var readPriority = priority.Compile();
        validator.RuleFor(priority).InclusiveBetween(1, 100).When(j => readPriority(j) is not null).WithErrorCode(ErrorCodes.InvalidValue);
        validator.RuleFor(@namespace).NomadNamespace();
        validator.RuleFor(nodePool).NomadNodePool();
    }

    /// <summary>Null (the default namespace) or a name Nomad accepts for a namespace.</summary>
    public static IRuleBuilderOptions<T, string?> NomadNamespace<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || NamespaceName().IsMatch(value)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => $"'{Echo.Value(value ?? string.Empty)}' is not a namespace name Nomad accepts (1-128 letters, digits and '-')");

    /// <summary>Null (the default pool) or a name Nomad accepts for a node pool.</summary>
    public static IRuleBuilderOptions<T, string?> NomadNodePool<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(value => value is null || NodePoolName().IsMatch(value)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => $"'{Echo.Value(value ?? string.Empty)}' is not a node pool name Nomad accepts (1-128 letters, digits, '-' and '_')");
}
