namespace NomadDbPatterns.Cli;

/// <summary>Process exit codes of nomad-db.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>Invalid input: a spec has errors. Nothing was written.</summary>
    public const int InvalidInput = 1;
    /// <summary>Command-line usage error.</summary>
    public const int Usage = 2;
    /// <summary><c>check</c>: committed files differ from what the specs render.</summary>
    public const int Stale = 3;
    /// <summary><c>plan</c>/<c>run</c>: data-loss risks were found and not accepted.</summary>
    public const int Risk = 4;
    /// <summary>Talking to Nomad failed.</summary>
    public const int NomadError = 5;
}
