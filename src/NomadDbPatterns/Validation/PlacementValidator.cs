using FluentValidation;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Validation;

/// <summary>
/// Rules for what every job has (<see cref="Job"/>): its name, where it is placed and its group's update policy. The
/// service job's and the shared instance's validators both include it, so each rule is written once.
/// </summary>
internal sealed class PlacementValidator : AbstractValidator<Job>
{
    // Declared before Instance: static initializers run in order.
    private static readonly ConstraintValidator ConstraintRules = new();
    private static readonly UpdatePolicyValidator UpdateRules = new();

    /// <summary>The one instance: building a validator compiles its rules, which costs more than running them.</summary>
    public static PlacementValidator Instance { get; } = new();

    /// <summary>Creates the validator.</summary>
    private PlacementValidator()
    {
        RuleFor(j => j.Name).Must(Rules.IsName).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => string.IsNullOrEmpty(value) ? "a job name is required" : $"'{Echo.Value(value)}' is not a valid job name (lower-case letters, digits, '-' and '_', at most 63 characters)");
        RuleFor(j => j.Datacenters).NotEmpty().WithErrorCode(ErrorCodes.Required).WithMessage("at least one datacenter is required");
        RuleForEach(j => j.Datacenters).NotEmpty().WithErrorCode(ErrorCodes.InvalidValue).WithMessage("datacenter names cannot be empty");
        RuleFor(j => j.Priority).InclusiveBetween(MinPriority, MaxPriority).When(j => j.Priority is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(j => $"priority {j.Priority} is outside Nomad's range {MinPriority}-{MaxPriority}");
        RuleFor(j => j.Namespace).Must(value => value is null || Rules.IsNamespace(value)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => $"'{Echo.Value(value ?? string.Empty)}' is not a namespace name Nomad accepts (1-128 letters, digits and '-')");
        RuleFor(j => j.NodePool).Must(value => value is null || Rules.IsNodePool(value)).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => $"'{Echo.Value(value ?? string.Empty)}' is not a node pool name Nomad accepts (1-128 letters, digits, '-' and '_')");
        RuleFor(j => j.Fleet).Must(Rules.IsName).When(j => j.Fleet is not null).WithErrorCode(ErrorCodes.InvalidName)
            .WithMessage((_, value) => FleetNameMessage(value!));
        RuleForEach(j => j.Constraints).SetValidator(ConstraintRules);
        RuleFor(j => j.Update).SetValidator(UpdateRules);
    }

    /// <summary>The lowest and highest job priority Nomad accepts.</summary>
    public const int MinPriority = 1, MaxPriority = 100;

    /// <summary>Why a fleet name is refused (a job's, or the <c>fleet:</c> of <c>nomad-db.yaml</c>).</summary>
    public static string FleetNameMessage(string value) =>
        $"'{Echo.Value(value)}' is not a valid fleet name (lower-case letters, digits, '-' and '_', at most 63 characters)";
}

/// <summary>Validates a constraint.</summary>
internal sealed class ConstraintValidator : AbstractValidator<Constraint>
{
    private static readonly IReadOnlyList<string> Operators = Spec.SpecWords.ConstraintOperator.Words;

    /// <summary>Creates the validator.</summary>
    public ConstraintValidator()
    {
        RuleFor(c => c.Operator).Must(o => Operators.Contains(o)).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(c => $"'{Echo.Value(c.Operator)}' is not a Nomad constraint operator ({string.Join(", ", Operators)})");
        RuleFor(c => c.Attribute).NotEmpty().When(c => c.Operator is not ("distinct_hosts")).WithErrorCode(ErrorCodes.Required)
            .WithMessage("a constraint needs an `attribute` such as ${node.class} (only distinct_hosts goes without one)");
    }
}

/// <summary>Validates the update policy.</summary>
internal sealed class UpdatePolicyValidator : AbstractValidator<UpdatePolicy>
{
    /// <summary>The fewest allocations an update may replace at once.</summary>
    public const int MinMaxParallel = 1;

    /// <summary>Creates the validator.</summary>
    public UpdatePolicyValidator()
    {
        RuleFor(u => u.MaxParallel).GreaterThanOrEqualTo(MinMaxParallel).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(u => $"maxParallel {u.MaxParallel} must be at least {MinMaxParallel}: how many allocations an update replaces at a time");
        RuleFor(u => u.MinHealthyTime).Must(d => d.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 30s");
        RuleFor(u => u.HealthyDeadline).Must(d => d.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 10m");
        RuleFor(u => u.ProgressDeadline).Must(d => d.IsNomadDuration).WithErrorCode(ErrorCodes.InvalidValue).WithMessage("not a duration such as 15m");
        RuleFor(u => u).Custom(CheckDeadlineOrder);
    }

    /// <summary>
    /// Nomad's UpdateStrategy.Validate (nomad/structs/structs.go, v2.0.5 l.5494-5499) refuses a job unless
    /// min_healthy_time &lt; healthy_deadline &lt; progress_deadline; a parser accepts it, the server does not.
    /// </summary>
    private static void CheckDeadlineOrder(UpdatePolicy update, ValidationContext<UpdatePolicy> context)
    {
        if (update.MinHealthyTime.Value is not { } minHealthy
            || update.HealthyDeadline.Value is not { } healthy
            || update.ProgressDeadline.Value is not { } progress)
        {
            return;
        }

        // The error goes to the value the spec changed: a default is never the one to blame.
        var defaults = UpdatePolicy.Stateful;
        if (minHealthy >= healthy)
        {
            context.Fail(update.HealthyDeadline == defaults.HealthyDeadline ? "MinHealthyTime" : "HealthyDeadline", ErrorCodes.UpdateDeadlines,
                $"healthyDeadline ({update.HealthyDeadline}) must be longer than minHealthyTime ({update.MinHealthyTime}); Nomad refuses the job: \"Minimum healthy time must be less than healthy deadline\"");
        }

        if (healthy >= progress)
        {
            context.Fail(update.ProgressDeadline == defaults.ProgressDeadline ? "HealthyDeadline" : "ProgressDeadline", ErrorCodes.UpdateDeadlines,
                $"progressDeadline ({update.ProgressDeadline}) must be longer than healthyDeadline ({update.HealthyDeadline}); Nomad refuses the job: \"Healthy deadline must be less than progress deadline\"");
        }

        // Task.Validate refuses a task whose kill_timeout exceeds its service group's progress_deadline; PostgreSQL
        // tasks get JobFacts.PostgresKillTimeout to finish a fast shutdown.
        if (Duration.TryParse(JobFacts.PostgresKillTimeout, out var killTimeout) && progress < killTimeout && healthy < progress)
        {
            context.Fail("ProgressDeadline", ErrorCodes.UpdateDeadlines,
                $"progressDeadline ({update.ProgressDeadline}) must be at least {JobFacts.PostgresKillTimeout}, the time PostgreSQL gets to shut down; Nomad refuses a task whose kill_timeout exceeds the progress deadline");
        }
    }
}
