namespace NomadDbPatterns.Cli;

/// <summary>
/// Process exit codes of nomad-db. <c>plan --detailed-exitcode</c> uses <c>nomad job plan</c>'s codes instead
/// (<see cref="PlanNoChange"/>, <see cref="PlanChanges"/>, <see cref="PlanError"/>).
/// </summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Invalid input: a spec has errors (ours, or Nomad's with <c>validate --server</c>). Nothing was written.</summary>
    public const int InvalidInput = 1;
    /// <summary>Command-line usage error, including a <c>NOMAD_*</c> setting or connection flag that cannot be used.</summary>
    public const int Usage = 2;
    /// <summary><c>check</c>: committed files differ from what the specs render.</summary>
    public const int Stale = 3;
    /// <summary><c>plan</c>/<c>run</c>: data-loss risks were found and not accepted.</summary>
    public const int Risk = 4;
    /// <summary>Talking to Nomad failed: unreachable, timed out, or an API error.</summary>
    public const int NomadError = 5;
    /// <summary><c>plan</c>/<c>run</c>: Nomad cannot place every allocation (the plan's or the evaluation's placement failures).</summary>
    public const int PlacementFailure = 6;
    /// <summary><c>run --wait</c>: the evaluation or deployment failed; <c>status</c>: something is wrong with a job.</summary>
    public const int Unhealthy = 7;
    /// <summary><c>run --wait</c>: no verdict within <c>--wait-timeout</c> (Nomad goes on with the deployment).</summary>
    public const int WaitTimeout = 8;

    /// <summary><c>plan --detailed-exitcode</c>: no allocation is created, stopped or replaced (<c>nomad job plan</c>'s 0).</summary>
    public const int PlanNoChange = 0;
    /// <summary><c>plan --detailed-exitcode</c>: allocations are created, stopped or replaced (<c>nomad job plan</c>'s 1).</summary>
    public const int PlanChanges = 1;
    /// <summary>
    /// <c>plan --detailed-exitcode</c>: anything else (<c>nomad job plan</c>'s 255, "error determining plan results"):
    /// invalid specs, Nomad errors, and the findings nomad job plan has no code for: data-loss risks and placement
    /// failures.
    /// </summary>
    public const int PlanError = 255;

    /// <summary>The table printed by <c>--help</c> and <c>explain exit-codes</c>.</summary>
    public const string Table =
        "Exit codes: 0 ok, 1 invalid input, 2 usage, 3 stale output (check), 4 data-loss risk (plan/run), 5 Nomad API error or unreachable, "
        + "6 placement failure (plan/run), 7 deployment failed (run --wait) or a job is unhealthy (status), 8 timed out waiting (run --wait). "
        + "plan --detailed-exitcode: nomad job plan's codes, 0 no allocation change, 1 allocations change, 255 anything else.";
}
