using NomadDbPatterns.Cli;

return CliApp.Run(args, CliConsole.System());
