namespace NomadDbPatterns.Nomad.Tests;

public sealed class PlanRiskAnalyzerTests
{
    // The job of shared/reference/myservice.nomad.hcl: one group, PostgreSQL in task "postgres" on volume "postgres-data".
    private static readonly DatabaseTopology MyService = new("myservice", "postgres", ["postgres-data"], PostgresMajor: 17);

    private static IReadOnlyList<PlanRisk> Analyze(string fixture, DatabaseTopology? topology = null) =>
        PlanRiskAnalyzer.Analyze(Fixtures.Plan(fixture), topology ?? MyService);

    private static IEnumerable<(PlanRiskKind, string, string?)> Summary(IEnumerable<PlanRisk> risks) =>
        risks.Select(r => (r.Kind, r.GroupName, r.TaskName));

    [Test]
    public void An_app_image_tag_bump_is_no_risk()
    {
        Assert.That(Analyze("plan-app-image-bump.json"), Is.Empty);
    }

    [Test]
    public void A_new_job_is_no_risk()
    {
        Assert.That(Analyze("plan-new-job.json"), Is.Empty);
    }

    [Test]
    public void An_in_place_update_of_the_database_task_is_no_risk()
    {
        Assert.That(Analyze("plan-db-task-in-place.json"), Is.Empty);
    }

    [Test]
    public void A_postgres_major_change_is_flagged_once_for_the_database_task_only()
    {
        var risks = Analyze("plan-postgres-major-16-to-17.json");

        Assert.That(Summary(risks), Is.EquivalentTo(new (PlanRiskKind, string, string?)[]
        {
            (PlanRiskKind.PostgresMajorChanged, "myservice", "postgres"),
            (PlanRiskKind.DatabaseTaskDestructiveUpdate, "myservice", "postgres"),
        }));
        var major = risks.Single(r => r.Kind == PlanRiskKind.PostgresMajorChanged);
        Assert.That(major.Message, Does.Contain("from 16 to 17").And.Contain("postgres:16-alpine → postgres:17-alpine"));
        Assert.That(major.JobId, Is.EqualTo("myservice"));
    }

    [Test]
    public void A_changed_data_volume_source_is_flagged_and_a_changed_backup_volume_is_not()
    {
        var risks = Analyze("plan-data-volume-source-changed.json");

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DataVolumeSourceChanged, "myservice", null) }));
        Assert.That(risks[0].Message, Does.Contain("\"postgres-data\"").And.Contain("myservice-postgres").And.Contain("myservice-pg17"));
    }

    [Test]
    public void A_moved_volume_mount_destination_of_the_data_volume_is_flagged()
    {
        var risks = Analyze("plan-volume-mount-destination-changed.json");

        Assert.That(Summary(risks), Is.EquivalentTo(new (PlanRiskKind, string, string?)[]
        {
            (PlanRiskKind.DataVolumeMountChanged, "myservice", "postgres"),
            (PlanRiskKind.DatabaseTaskDestructiveUpdate, "myservice", "postgres"),
        }));
        Assert.That(risks.Single(r => r.Kind == PlanRiskKind.DataVolumeMountChanged).Message,
            Does.Contain("/var/lib/postgresql instead of /var/lib/postgresql/data"));
    }

    [Test]
    public void A_renamed_database_group_is_flagged_as_removed_with_the_likely_new_name()
    {
        var risks = Analyze("plan-db-group-renamed.json", MyService with { GroupName = "main" });

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseGroupRemoved, "myservice", "postgres") }));
        Assert.That(risks[0].Message, Does.Contain("renamed to \"main\""));
    }

    [Test]
    public void A_removed_database_group_is_flagged_even_without_a_description_of_it()
    {
        // The database left the spec entirely: the diff itself shows a PostgreSQL task with a mounted volume.
        var risks = PlanRiskAnalyzer.Analyze(Fixtures.Plan("plan-db-group-renamed.json"), []);

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseGroupRemoved, "myservice", "postgres") }));
    }

    [Test]
    public void A_renamed_database_task_is_flagged_as_removed()
    {
        var risks = Analyze("plan-db-task-renamed.json", MyService with { DatabaseTaskName = "db" });

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseTaskRemoved, "myservice", "postgres") }));
        Assert.That(risks[0].Message, Does.Contain("renamed to \"db\""));
    }

    [Test]
    public void A_destructive_update_of_the_database_task_is_flagged()
    {
        var risks = Analyze("plan-db-task-destructive.json");

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseTaskDestructiveUpdate, "myservice", "postgres") }));
        Assert.That(risks[0].Message, Does.Contain("1 allocation"));
    }

    [Test]
    public void A_relabelled_data_volume_on_the_same_storage_and_path_is_only_a_restart()
    {
        var risks = Analyze("plan-data-volume-relabelled.json", MyService with { DataVolumeNames = ["pgdata"] });

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseTaskDestructiveUpdate, "myservice", "postgres") }));
    }

    [Test]
    public void The_records_read_nomads_json_with_default_serializer_options()
    {
        // Callers may deserialize a saved plan themselves: Go's nulls still become empty collections.
        var plan = System.Text.Json.JsonSerializer.Deserialize<JobPlanResponse>(Fixtures.Read("plan-app-image-bump.json"))!;
        var unchanged = plan.Diff!.TaskGroups[0].Tasks.Single(t => t.Name == "postgres");

        Assert.Multiple(() =>
        {
            Assert.That(plan.Diff.Type, Is.EqualTo(DiffType.Edited));
            Assert.That((unchanged.Type, unchanged.Fields, unchanged.Objects, unchanged.Annotations), Is.EqualTo((DiffType.None, Array.Empty<FieldDiff>(), Array.Empty<ObjectDiff>(), Array.Empty<string>())));
            Assert.That(plan.FailedTGAllocs, Is.Empty);
            Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService), Is.Empty);
        });
    }

    [Test]
    public void A_plan_without_a_diff_cannot_be_analyzed()
    {
        Assert.Throws<ArgumentException>(() => PlanRiskAnalyzer.Analyze(new JobPlanResponse(), MyService));
    }

    // The cases below build diffs in code, shaped as diff.go builds them, for changes the fixtures do not cover.

    private static FieldDiff Field(DiffType type, string name, string old, string @new) => new() { Type = type, Name = name, Old = old, New = @new };

    private static FieldDiff Same(string name, string value) => Field(DiffType.None, name, value, value);

    private static ObjectDiff HostVolume(DiffType type, string name, string source) => new()
    {
        Type = type,
        Name = "Volume",
        Fields = type == DiffType.Deleted
            ? [Field(type, "Name", name, ""), Field(type, "Source", source, ""), Field(type, "Type", "host", "")]
            : [Field(type, "Name", "", name), Field(type, "Source", "", source), Field(type, "Type", "", "host")],
    };

    private static ObjectDiff Mount(DiffType type, string volume, string destination) => new()
    {
        Type = type,
        Name = "VolumeMount",
        Fields = type == DiffType.Deleted
            ? [Field(type, "Destination", destination, ""), Field(type, "Volume", volume, "")]
            : [Field(type, "Destination", "", destination), Field(type, "Volume", "", volume)],
    };

    private static ObjectDiff Image(string old, string @new) => new()
    {
        Type = DiffType.Edited,
        Name = "Config",
        Fields = [Field(DiffType.Edited, "image", old, @new)],
    };

    private static JobPlanResponse PlanOf(params TaskGroupDiff[] groups) => new()
    {
        Diff = new JobDiff { Type = DiffType.Edited, ID = "myservice", TaskGroups = groups },
    };

    private static TaskGroupDiff Group(IReadOnlyList<TaskDiff> tasks, IReadOnlyList<ObjectDiff>? objects = null, ulong destructive = 1) => new()
    {
        Type = DiffType.Edited,
        Name = "myservice",
        Objects = objects ?? [],
        Tasks = tasks,
        Updates = destructive > 0 ? new Dictionary<string, ulong> { [PlanAnnotationNames.UpdateDestructive] = destructive } : new Dictionary<string, ulong>(),
    };

    private static TaskDiff Task(string name, DiffType type, IReadOnlyList<ObjectDiff>? objects = null, params string[] annotations) => new()
    {
        Type = type,
        Name = name,
        Objects = objects ?? [],
        Annotations = annotations,
    };

    [Test]
    public void A_removed_data_volume_is_flagged()
    {
        var plan = PlanOf(Group(
            [Task("postgres", DiffType.Edited, [Mount(DiffType.Deleted, "postgres-data", "/var/lib/postgresql/data")], PlanAnnotationNames.ForcesDestructiveUpdate)],
            [HostVolume(DiffType.Deleted, "postgres-data", "myservice-postgres")]));

        var kinds = PlanRiskAnalyzer.Analyze(plan, MyService).Select(r => r.Kind);

        Assert.That(kinds, Is.EquivalentTo(new[]
        {
            PlanRiskKind.DataVolumeRemoved, PlanRiskKind.DataVolumeMountChanged, PlanRiskKind.DatabaseTaskDestructiveUpdate,
        }));
    }

    [Test]
    public void A_database_task_that_stops_mounting_its_data_volume_is_flagged()
    {
        var plan = PlanOf(Group([Task("postgres", DiffType.Edited, [Mount(DiffType.Deleted, "postgres-data", "/var/lib/postgresql/data")])]));

        var risk = PlanRiskAnalyzer.Analyze(plan, MyService).Single(r => r.Kind == PlanRiskKind.DataVolumeMountChanged);

        Assert.That(risk.Message, Does.Contain("no longer mounts data volume \"postgres-data\""));
    }

    [Test]
    public void Mounts_that_only_change_order_are_no_mount_risk()
    {
        // volume_mount diffs are matched by position: swapping two mounts edits both entries.
        var swapped = new[]
        {
            new ObjectDiff { Type = DiffType.Edited, Name = "VolumeMount", Fields = [Field(DiffType.Edited, "Destination", "/var/lib/postgresql/data", "/backups"), Field(DiffType.Edited, "Volume", "postgres-data", "backups")] },
            new ObjectDiff { Type = DiffType.Edited, Name = "VolumeMount", Fields = [Field(DiffType.Edited, "Destination", "/backups", "/var/lib/postgresql/data"), Field(DiffType.Edited, "Volume", "backups", "postgres-data")] },
        };
        var plan = PlanOf(Group([Task("postgres", DiffType.Edited, swapped)], destructive: 0));

        Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService), Is.Empty);
    }

    [Test]
    public void A_volume_edit_that_keeps_source_and_type_is_no_risk()
    {
        var readOnlyFlip = new ObjectDiff
        {
            Type = DiffType.Edited,
            Name = "Volume",
            Fields = [Same("Name", "postgres-data"), Field(DiffType.Edited, "ReadOnly", "false", "true"), Same("Source", "myservice-postgres"), Same("Type", "host")],
        };

        Assert.That(PlanRiskAnalyzer.Analyze(PlanOf(Group([], [readOnlyFlip], destructive: 0)), MyService), Is.Empty);
    }

    [Test]
    public void A_host_to_csi_switch_with_the_same_source_is_flagged()
    {
        var toCsi = new ObjectDiff
        {
            Type = DiffType.Edited,
            Name = "Volume",
            Fields = [Same("Name", "postgres-data"), Same("Source", "myservice-postgres"), Field(DiffType.Edited, "Type", "host", "csi")],
        };

        var risk = PlanRiskAnalyzer.Analyze(PlanOf(Group([], [toCsi], destructive: 0)), MyService).Single();

        Assert.That((risk.Kind, risk.Message.Contains("csi volume", StringComparison.Ordinal)), Is.EqualTo((PlanRiskKind.DataVolumeSourceChanged, true)));
    }

    [TestCase("postgres:17-alpine", "postgres:latest")]
    [TestCase("postgres:17", "registry.example/db@sha256:0123")]
    public void An_image_whose_major_cannot_be_read_is_flagged(string old, string @new)
    {
        var plan = PlanOf(Group([Task("postgres", DiffType.Edited, [Image(old, @new)])], destructive: 0));

        var risk = PlanRiskAnalyzer.Analyze(plan, MyService with { PostgresMajor = null }).Single();

        Assert.That((risk.Kind, risk.Message.Contains("cannot be read", StringComparison.Ordinal)), Is.EqualTo((PlanRiskKind.PostgresMajorChanged, true)));
    }

    [Test]
    public void The_described_major_fills_in_for_a_tag_without_version()
    {
        var plan = PlanOf(Group([Task("postgres", DiffType.Edited, [Image("postgres:17-alpine", "registry.example/pg:stable")])], destructive: 0));

        Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService with { PostgresMajor = 17 }), Is.Empty);
    }

    [TestCase("postgres:17.1-alpine", "postgres:17.2-alpine")]
    [TestCase("postgres:17@sha256:aaaa", "postgres:17@sha256:bbbb")]
    public void A_minor_or_digest_change_is_no_major_change(string old, string @new)
    {
        var plan = PlanOf(Group([Task("postgres", DiffType.Edited, [Image(old, @new)], PlanAnnotationNames.ForcesDestructiveUpdate)]));

        Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService).Select(r => r.Kind), Is.EqualTo(new[] { PlanRiskKind.DatabaseTaskDestructiveUpdate }));
    }

    [Test]
    public void A_group_destructive_update_touching_the_database_task_is_flagged_even_if_the_task_alone_was_in_place()
    {
        var logChange = new ObjectDiff { Type = DiffType.Edited, Name = "LogConfig", Fields = [Field(DiffType.Edited, "MaxFiles", "10", "5")] };
        var plan = PlanOf(Group(
        [
            Task("app", DiffType.Edited, [Image("ghcr.io/example/myservice:1.4.2", "ghcr.io/example/myservice:1.5.0")], PlanAnnotationNames.ForcesDestructiveUpdate),
            Task("postgres", DiffType.Edited, [logChange], PlanAnnotationNames.ForcesInPlaceUpdate),
        ]));

        Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService).Select(r => (r.Kind, r.TaskName)),
            Is.EqualTo(new[] { (PlanRiskKind.DatabaseTaskDestructiveUpdate, (string?)"postgres") }));
    }

    [Test]
    public void Removing_the_backup_task_is_no_risk()
    {
        var plan = PlanOf(Group([Task("db-backup", DiffType.Deleted,
            [Mount(DiffType.Deleted, "backups", "/backups"), new ObjectDiff { Type = DiffType.Deleted, Name = "Config", Fields = [Field(DiffType.Deleted, "image", "postgres:17-alpine", "")] }],
            PlanAnnotationNames.ForcesDestructiveUpdate)]));

        Assert.That(PlanRiskAnalyzer.Analyze(plan, MyService), Is.Empty);
    }

    [Test]
    public void In_an_undescribed_group_a_removed_postgres_task_with_a_volume_is_flagged()
    {
        var legacy = new TaskGroupDiff
        {
            Type = DiffType.Edited,
            Name = "postgresql",
            Tasks =
            [
                Task("postgres", DiffType.Deleted,
                [
                    new ObjectDiff { Type = DiffType.Deleted, Name = "Config", Fields = [Field(DiffType.Deleted, "image", "postgres:15", "")] },
                    Mount(DiffType.Deleted, "pg", "/var/lib/postgresql/data"),
                ]),
                Task("init-databases", DiffType.Deleted,
                [
                    new ObjectDiff { Type = DiffType.Deleted, Name = "Config", Fields = [Field(DiffType.Deleted, "image", "postgres:15", "")] },
                ]),
            ],
        };

        var risks = PlanRiskAnalyzer.Analyze(PlanOf(legacy), []);

        Assert.That(Summary(risks), Is.EqualTo(new (PlanRiskKind, string, string?)[] { (PlanRiskKind.DatabaseTaskRemoved, "postgresql", "postgres") }));
    }

    [Test]
    public void Several_databases_in_one_job_are_each_checked()
    {
        var plan = PlanOf(
            Group([Task("postgres", DiffType.Edited, [Image("postgres:16", "postgres:17")])], destructive: 0),
            new TaskGroupDiff
            {
                Type = DiffType.Edited,
                Name = "worker",
                Tasks = [Task("db", DiffType.Edited, [Image("postgres:17", "postgres:18")])],
            });

        var risks = PlanRiskAnalyzer.Analyze(plan, [MyService, new DatabaseTopology("worker", "db", ["worker-data"])]);

        Assert.That(Summary(risks), Is.EquivalentTo(new (PlanRiskKind, string, string?)[]
        {
            (PlanRiskKind.PostgresMajorChanged, "myservice", "postgres"),
            (PlanRiskKind.PostgresMajorChanged, "worker", "db"),
        }));
    }
}

public sealed class PostgresImageTests
{
    [TestCase("postgres:17-alpine", "17")]
    [TestCase("postgres:16.4-bookworm", "16")]
    [TestCase("postgres:18", "18")]
    [TestCase("postgres:9.6-alpine", "9.6")]
    [TestCase("docker.io/library/postgres:17-alpine@sha256:0123abcd", "17")]
    [TestCase("localhost:5000/postgres:15", "15")]
    [TestCase("localhost:5000/postgres", null)]
    [TestCase("postgres", null)]
    [TestCase("postgres:latest", null)]
    [TestCase("postgres:alpine", null)]
    [TestCase("postgres@sha256:0123abcd", null)]
    public void Reads_the_major_from_the_tag(string image, string? major)
    {
        Assert.That(PostgresImage.MajorOf(image), Is.EqualTo(major));
    }

    [TestCase("postgres:17", true)]
    [TestCase("docker.io/library/postgres:17-alpine", true)]
    [TestCase("postgis/postgis:16-3.4", true)]
    [TestCase("localhost:5000/postgres", true)]
    [TestCase("ghcr.io/example/myservice:1.4.2", false)]
    [TestCase("prodrigestivill/postgres-backup-local:17", false)]
    public void Recognises_postgres_images(string image, bool expected)
    {
        Assert.That(PostgresImage.IsPostgres(image), Is.EqualTo(expected));
    }
}
