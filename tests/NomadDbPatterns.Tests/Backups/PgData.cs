using NomadDbPatterns.Tests.Infrastructure;

namespace NomadDbPatterns.Tests.Backups;

/// <summary>Seed data and fingerprints (per-table row counts and data checksums) of real databases.</summary>
internal static class PgData
{
    /// <summary>
    /// Schemas, quoted identifiers, identity and serial sequences, NULLs, non-ASCII text, bytea, jsonb, arrays, a
    /// foreign key, a partitioned table and an empty table: what a restore has to bring back.
    /// </summary>
    public const string SeedSql = """
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name text NOT NULL,
            email text UNIQUE,
            note text);
        INSERT INTO shop.customers (name, email, note)
        SELECT 'customer ' || g, 'c' || g || '@example.com', CASE WHEN g % 7 = 0 THEN NULL ELSE repeat('ü€', g % 5) END
        FROM generate_series(1, 300) AS g;
        CREATE TABLE shop.orders (
            id serial PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES shop.customers (id),
            total numeric(12, 2),
            payload jsonb,
            raw bytea);
        INSERT INTO shop.orders (customer_id, total, payload, raw)
        SELECT 1 + g % 300, g * 1.25, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g % 3)), decode(md5(g::text), 'hex')
        FROM generate_series(1, 1200) AS g;
        CREATE TABLE public."Mixed Case" (k text PRIMARY KEY, v integer[]);
        INSERT INTO public."Mixed Case" SELECT 'key ' || g, ARRAY[g, g * 2] FROM generate_series(1, 40) AS g;
        CREATE TABLE public.events (id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        INSERT INTO public.events SELECT g, date '2024-06-01' + g FROM generate_series(1, 400) AS g;
        CREATE TABLE public.empty_table (x integer);
        CREATE VIEW shop.big_orders AS SELECT * FROM shop.orders WHERE total > 1000;
        """;

    private const string FingerprintSql = """
        SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I AS t',
                      format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
        FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
        ORDER BY 1
        \gexec
        SELECT format('%I.%I', schemaname, sequencename), 'sequence', coalesce(last_value::text, 'unused')
        FROM pg_sequences WHERE schemaname <> 'information_schema' AND schemaname !~ '^pg_' ORDER BY 1;
        """;

    public static void CreateSeeded(PostgresCluster cluster, string database)
    {
        cluster.Psql("postgres", $"CREATE DATABASE \"{database}\"");
        cluster.Psql(database, SeedSql);
    }

    /// <summary>"relation" → "rows|md5 of the rows" for every user table, "sequence|last value" for sequences.</summary>
    public static SortedDictionary<string, string> Fingerprint(PostgresCluster cluster, string database)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in cluster.Psql(database, FingerprintSql).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('|');
            result[parts[0]] = $"{parts[1]}|{parts[2]}";
        }

        return result;
    }

    public static long Count(PostgresCluster cluster, string database, string table) =>
        long.Parse(cluster.Psql(database, $"SELECT count(*) FROM {table}"), System.Globalization.CultureInfo.InvariantCulture);

    public static bool DatabaseExists(PostgresCluster cluster, string database) =>
        cluster.Psql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{database.Replace("'", "''", StringComparison.Ordinal)}'") == "1";

    /// <summary>Restores a backup file (custom or plain-gzip) into a new database.</summary>
    public static void Restore(PostgresCluster cluster, string file, string database)
    {
        cluster.Psql("postgres", $"CREATE DATABASE \"{database}\" TEMPLATE template0");
        var env = new Dictionary<string, string>(cluster.PgEnv(database)) { ["PATH"] = $"{BackupScripts.PgBinDir}:{Environment.GetEnvironmentVariable("PATH")}" };
        var result = file.EndsWith(".dump", StringComparison.Ordinal)
            ? Shell.Run(Path.Combine(BackupScripts.PgBinDir, "pg_restore"), ["--exit-on-error", "--dbname", database, file], env, null, BackupScripts.Timeout)
            : Shell.Run("sh", ["-c", "gzip -dc \"$1\" | psql -X -q -v ON_ERROR_STOP=1 --dbname \"$2\" >/dev/null", "sh", file, database], env, null, BackupScripts.Timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"restoring {file} failed: {result.StdErr}");
        }
    }
}
