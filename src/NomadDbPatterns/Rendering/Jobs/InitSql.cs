using System.Globalization;
using System.Text;
using NomadDbPatterns.Model;

namespace NomadDbPatterns.Rendering;

/// <summary>
/// The SQL the database gets on every start of the job (<c>postgres.extensions</c>, <c>postgres.initSql</c>): run by
/// the <c>wait-for-postgres</c> task once PostgreSQL accepts connections, with psql as the database user (the image's
/// superuser) in the job's database, in one transaction that stops at the first error; the app starts only after it
/// succeeded. Everything in it must be idempotent: extensions are created <c>IF NOT EXISTS</c>.
/// </summary>
internal static class InitSql
{
    /// <summary>Where the task finds the SQL (a template rendered from the job file).</summary>
    public const string Destination = "local/init.sql";

    /// <summary>True when the sidecar has anything to apply.</summary>
    public static bool Needed(PostgresSidecar pg) => !pg.Extensions.IsDefaultOrEmpty || !pg.InitSql.IsDefaultOrEmpty;

    /// <summary>The SQL script: the extensions, then each statement (terminated with ';' where it is not) or file.</summary>
    public static string Script(PostgresSidecar pg)
    {
        var sql = new StringBuilder();
        foreach (var extension in pg.Extensions)
        {
            sql.Append("CREATE EXTENSION IF NOT EXISTS ").Append(QuoteIdentifier(extension)).Append(";\n");
        }

        foreach (var statement in pg.InitSql)
        {
            var text = statement.TrimEnd();
            sql.Append(text);
            // A statement without its terminator gets one; on a line of its own after a line comment.
            if (!text.EndsWith(';'))
            {
                sql.Append(text[(text.LastIndexOf('\n') + 1)..].Contains("--", StringComparison.Ordinal) ? "\n;" : ";");
            }

            sql.Append('\n');
        }

        return sql.ToString();
    }

    /// <summary>
    /// The shell command that applies the script: psql with <c>ON_ERROR_STOP</c> in a single transaction, no psqlrc,
    /// the password from the task's secret file. Database and user are validated identifiers, single-quoted anyway.
    /// </summary>
    public static string Command(int port, string user, string database, string passwordFile) =>
        $"PGPASSWORD=\"$(cat {passwordFile})\" psql -X -q -v ON_ERROR_STOP=1 --single-transaction -h 127.0.0.1 -p {port.ToString(CultureInfo.InvariantCulture)} "
        + $"-U '{user}' -d '{database}' -f /{Destination} && echo \"wait-for-postgres: init SQL applied\"";

    /// <summary>A PostgreSQL quoted identifier: in double quotes, each double quote doubled (any name is then one identifier).</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
