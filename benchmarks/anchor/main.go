// The Go text/template anchor of `benchmarks/run.sh anchor`: Go's text/template (the engine nomad-pack and Levant
// use) writing the SAME BYTES as nomad-db's pipeline for the typical job of
// benchmarks/NomadDbPatterns.Benchmarks/TypicalJob.cs (app + PostgreSQL sidecar + readiness gate + backup sidecar
// whose scripts come from the Nomad Variable nomad/jobs), in the same loop as `anchor-compare`: 100 prepared models
// (svc0..svc99), N renders into one reused bytes.Buffer, renders/s printed. run.sh checks byte for byte, for all 100
// models, that this program prints what `anchor-compare 1 print I` prints before it times anything.
//
// usage: anchor N            time N renders (cycling through the 100 models)
//
//	anchor N print I    print model I (0..99)
//
// What is prepared up front, once per model (our pipeline decides it on every render, in ServiceJobDocBuilder and the
// task doc builders, from the loaded spec):
//   - every raw value of the job: names and name-dependent strings (comments, volume sources, env values, template
//     data, the header lines), durations, images, resources, the backup schedule's env values (including
//     BACKUP_STALE_AFTER_SECONDS derived from the cron), which optional attributes and blocks are present.
//   - the scripts' checksum in the header (our side computes it once per template set, not per render). Porting its
//     computation (shell comments stripped from every script, then SHA-256) is out of scope, so it is a constant
//     below; run.sh passes the current one in ANCHOR_SCRIPTS_SHA256, taken from our own output, so a changed script
//     does not break the anchor. It is the only text of the output not checked independently.
//
// What is done on every render, in the template or its funcs (as our HclViewMapper + Scriban templates + HclLayout do):
//   - every string value is escaped and quoted as HCL (`q`, a port of HclString.Quote), lists written as HCL lists
//     (`list`), env keys bare or quoted (`key`), template data written as a flush heredoc when it can be one, else as a
//     quoted string (`text`, a port of HclString.Text), its body indented one level below its attribute;
//   - the alignment of `=` (as `nomad fmt` does): each group of consecutive attributes asks `width` for its widest name
//     among the attributes present in this model, and every line pads its name to it (`pad`); env blocks measure their
//     keys (`keywidth`);
//   - every conditional of our templates (templates/*.scriban) is evaluated: the Go template has the same optional
//     attributes and blocks (constraints, meta, periodic, vault, docker mounts, ...), absent in this job.
//
// What the Go template has literally in its text, where our layout pass computes it: indentation and blank lines
// (one before each block, as a template author writes them). Display widths are byte lengths for ASCII and rune counts
// otherwise (our side counts grapheme clusters; the typical job is ASCII).
package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed job.tpl
var src string

// scriptsSHA256 is the first 16 hex digits of the scripts variable's checksum (ScriptsVariable.Checksum); see above.
var scriptsSHA256 = "9321ece7f0a7fd40"

type kv struct{ Key, Value string }
type constraint struct{ Attribute, Operator, Value string }
type periodic struct {
	Crons           []string
	ProhibitOverlap bool
	TimeZone        string
}
type port struct {
	Label      string
	Static, To int
}
type volume struct {
	Name, Type, Source string
	ReadOnly           bool
}
type update struct {
	MaxParallel, Canary                               int
	AutoRevert                                        bool
	MinHealthyTime, HealthyDeadline, ProgressDeadline string
}
type restart struct {
	Attempts              int
	Interval, Delay, Mode string
}
type check struct {
	Type, Path, Task, Command string
	Args                      []string
	Interval, Timeout         string
}
type service struct {
	Name, Port, Provider string
	Tags                 []string
	Checks               []check
}
type lifecycle struct {
	Hook    string
	Sidecar bool
}
type dockerMount struct {
	Type, Source, Target string
	ReadOnly             *bool
	TmpfsSize            int
}
type mount struct {
	Volume, Destination string
	ReadOnly            *bool
}
type vault struct{ Role, ChangeMode, ChangeSignal string }
type changeScript struct {
	Command     string
	Args        []string
	Timeout     string
	FailOnError bool
}
type tmpl struct {
	Destination, Perms string
	Env                *bool
	ChangeMode         string
	ChangeScript       *changeScript
	Data               string // raw text: `text` writes it as a heredoc or a quoted string
}
type resources struct{ CPU, Memory, MemoryMax int }
type task struct {
	Name                                         string
	Comment                                      []string
	User, KillSignal, KillTimeout, ShutdownDelay string
	Leader                                       bool
	Lifecycle                                    *lifecycle
	Image                                        string
	Entrypoint                                   []string
	Command                                      string
	Args, Ports                                  []string
	ShmSize                                      int
	NetworkMode                                  string
	Privileged                                   bool
	DNSServers, DNSSearchDomains, DNSOptions     []string
	DockerMounts                                 []dockerMount
	Mounts                                       []mount
	Vault                                        *vault
	Env                                          []kv
	Templates                                    []tmpl
	Services                                     []service
	Restart                                      *restart
	Resources                                    resources
}
type group struct {
	Name          string
	Count         int
	ShutdownDelay string
	NetworkMode   string
	Ports         []port
	Volumes       []volume
	Update        *update
	Restart       restart
	Services      []service
	Tasks         []task
}
type job struct {
	Header                            []string
	Name                              string
	Datacenters                       []string
	Type, Namespace, Region, NodePool string
	Priority                          int
	Constraints                       []constraint
	Meta                              []kv
	Periodic                          *periodic
	Group                             group
}

func model(name string) job {
	t := true
	pg := "postgres:17-alpine"
	nomadVar := `{{ with nomadVar "nomad/jobs/` + name + `" }}`
	script := func(key string) string { return `{{ with nomadVar "nomad/jobs" }}{{ .` + key + ` }}{{ end }}` }
	return job{
		Header: []string{
			"Generated by nomad-db 0.1.0 from specs/" + name + ".yaml. Do not edit by hand: change the spec and render again.",
			"Reads its scripts from Nomad Variable nomad/jobs (nomad-db-scripts*.nv.hcl), sha256 " + scriptsSHA256 + ".",
		},
		Name: name, Datacenters: []string{"dc1"}, Type: "service",
		Group: group{
			Name: name, Count: 1, ShutdownDelay: "5s", NetworkMode: "bridge",
			Ports:   []port{{Label: "http", To: 8080}},
			Volumes: []volume{{Name: "postgres-data", Type: "host", Source: name + "-postgres"}, {Name: "backups", Type: "host", Source: name + "-backups"}},
			Update:  &update{1, 0, true, "30s", "10m", "15m"},
			Restart: restart{2, "30m", "15s", "fail"},
			Services: []service{{Name: name, Port: "http", Provider: "nomad",
				Checks: []check{{Type: "http", Path: "/health", Interval: "10s", Timeout: "2s"}}}},
			Tasks: []task{
				{Name: "postgres",
					Comment: []string{
						`PostgreSQL 17: a prestart sidecar, so it runs for the whole allocation; its data lives on host volume "` + name + `-postgres".`,
						"Its files belong to the image's postgres user, uid:gid 70:70 (Alpine image): a host volume created ahead must let it write.",
					},
					KillSignal: "SIGINT", KillTimeout: "30s",
					Lifecycle: &lifecycle{"prestart", true}, Image: pg,
					Mounts: []mount{{Volume: "postgres-data", Destination: "/var/lib/postgresql/data"}},
					Env:    []kv{{"PGDATA", "/var/lib/postgresql/data/pgdata"}, {"POSTGRES_DB", name}, {"POSTGRES_USER", name}, {"POSTGRES_PASSWORD_FILE", "/secrets/db-password"}},
					Templates: []tmpl{
						{Destination: "secrets/db-password", Perms: "0644", ChangeMode: "script",
							ChangeScript: &changeScript{"/bin/sh", []string{"/local/rotate-password.sh"}, "30s", false},
							Data:         nomadVar + "{{ .db_password }}{{ end }}\n"},
						{Destination: "local/rotate-password.sh", Perms: "0755", ChangeMode: "noop", Data: script("rotate_password")},
					},
					Resources: resources{CPU: 200, Memory: 256}},
				{Name: "wait-for-postgres",
					Comment: []string{
						"The app starts only after this task exits 0, i.e. once PostgreSQL accepts connections:",
						"Nomad starts main tasks when prestart sidecars are running, not when they are ready.",
					},
					Lifecycle: &lifecycle{"prestart", false}, Image: pg, Command: "sh",
					Args:      []string{"-c", `i=0; until pg_isready -h 127.0.0.1 -p 5432 -q; do i=$((i+1)); if [ "$i" -ge 300 ]; then echo "wait-for-postgres: PostgreSQL not ready after 300s" >&2; exit 1; fi; sleep 1; done; echo "wait-for-postgres: PostgreSQL accepts connections"`},
					Resources: resources{CPU: 50, Memory: 32}},
				{Name: "app", Image: "ghcr.io/example/" + name + ":1.4.2", Ports: []string{"http"},
					Templates: []tmpl{{Destination: "secrets/db.env", Env: &t, ChangeMode: "restart",
						Data: `DB_HOST="127.0.0.1"` + "\n" + `DB_PORT="5432"` + "\n" + `DB_DATABASE="` + name + `"` + "\n" + `DB_USERNAME="` + name + `"` + "\n" +
							nomadVar + "DB_PASSWORD={{ print .db_password | toJSON }}{{ end }}\n"}},
					Resources: resources{CPU: 200, Memory: 256}},
				{Name: "db-backup",
					Comment: []string{
						`Backups of "` + name + `" to host volume "` + name + `-backups": dump to a temporary file, verify, rename atomically, then apply retention.`,
						"Nomad service checks cannot run scripts: the sidecar exits non-zero when the newest good backup is older than BACKUP_STALE_AFTER_SECONDS.",
					},
					Lifecycle: &lifecycle{"poststart", true}, Image: pg, Command: "/bin/sh", Args: []string{"/local/pg-backup.sh"},
					Mounts: []mount{{Volume: "backups", Destination: "/backups"}},
					Env: []kv{{"BACKUP_SCOPE", "database"}, {"BACKUP_DIR", "/backups"}, {"BACKUP_FORMAT", "custom"}, {"BACKUP_MODE", "loop"},
						{"BACKUP_CRON", "30 2 * * *"}, {"BACKUP_KEEP_LAST", "7"}, {"BACKUP_MAX_AGE_SECONDS", "2592000"}, {"BACKUP_STALE_AFTER_SECONDS", "176400"},
						{"BACKUP_LIB", "/local/backup-lib.sh"}, {"TZ", "Europe/Berlin"}, {"BACKUP_VERIFY", "restore"}},
					Templates: []tmpl{
						{Destination: "secrets/backup.env", Env: &t, ChangeMode: "restart",
							Data: `PGHOST="127.0.0.1"` + "\n" + `PGPORT="5432"` + "\n" + `PGUSER="` + name + `"` + "\n" + `PGDATABASE="` + name + `"` + "\n" +
								nomadVar + "PGPASSWORD={{ print .db_password | toJSON }}{{ end }}\n"},
						{Destination: "local/backup-lib.sh", Perms: "0644", ChangeMode: "restart", Data: script("backup_lib")},
						{Destination: "local/pg-backup.sh", Perms: "0755", ChangeMode: "restart", Data: script("pg_backup")},
					},
					Restart:   &restart{3, "1h", "5m", "delay"},
					Resources: resources{CPU: 100, Memory: 128}},
			},
		},
	}
}

// plain: bytes a quoted HCL string holds as they are (printable ASCII but \ " $ %), as HclString's Plain.
var plain = func() (table [256]bool) {
	for c := ' '; c <= '~'; c++ {
		table[c] = c != '\\' && c != '"' && c != '$' && c != '%'
	}
	return
}()

// mustBeEscaped: characters written as \uXXXX (HclString.MustBeEscaped).
func mustBeEscaped(r rune) bool {
	return r < ' ' || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
		r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// appendQuotedBody is HclString.AppendQuotedBody: the escaped body of a quoted HCL string.
func appendQuotedBody(b *strings.Builder, s string) {
	for i, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '$', '%':
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteRune(r) // ${ and %{ are template sequences in HCL: doubled, they are literal
			}
			b.WriteRune(r)
		default:
			if mustBeEscaped(r) {
				fmt.Fprintf(b, `\u%04X`, r)
			} else {
				b.WriteRune(r) // invalid UTF-8 becomes U+FFFD, as a broken surrogate does on our side
			}
		}
	}
}

// q is HclString.Quote.
func q(s string) string {
	for i := 0; i < len(s); i++ {
		if !plain[s[i]] {
			var b strings.Builder
			b.Grow(len(s) + 8)
			b.WriteByte('"')
			appendQuotedBody(&b, s)
			b.WriteByte('"')
			return b.String()
		}
	}
	return `"` + s + `"` // most values need no escape
}

// list is HclValue.List.
func list(xs []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('"')
		appendQuotedBody(&b, x)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// key is HclValue.Key: an env or meta key, bare when it is an identifier, quoted otherwise.
func key(s string) string {
	if len(s) == 0 || !(s[0] == '_' || (s[0]|0x20 >= 'a' && s[0]|0x20 <= 'z')) {
		return q(s)
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
			return q(s)
		}
	}
	return s
}

// columns: the display width of a name (ASCII: its length).
func columns(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return utf8.RuneCountInString(s)
		}
	}
	return len(s)
}

// width: the widest of the names given; arguments that are not strings, or empty, are attributes absent from this
// model (the template passes `and .Field "name"`, which is the field's zero value when it is absent).
func width(names ...interface{}) int {
	w := 0
	for _, n := range names {
		if s, ok := n.(string); ok && columns(s) > w {
			w = columns(s)
		}
	}
	return w
}

// keywidth: the widest key of an env or meta block, as written (`key`).
func keywidth(kvs []kv) int {
	w := 0
	for _, e := range kvs {
		if c := columns(key(e.Key)); c > w {
			w = c
		}
	}
	return w
}

// pad: name followed by the spaces that bring it to width w.
func pad(name string, w int) string {
	if n := w - columns(name); n > 0 {
		return name + strings.Repeat(" ", n)
	}
	return name
}

// text is HclString.Text plus the layout of a heredoc: a flush heredoc (<<-EOH) when the value reads back unchanged
// from one, its body lines indented one level (2 spaces) below the attribute at `indent`, the end marker at `indent`;
// otherwise a quoted string.
func text(value string, indent int) string {
	delimiter := heredocDelimiter(value)
	if delimiter == "" {
		return q(value)
	}
	body := strings.Repeat(" ", indent+2)
	var b strings.Builder
	b.Grow(len(value) + 64)
	b.WriteString("<<-")
	b.WriteString(delimiter)
	b.WriteByte('\n')
	for rest := value; len(rest) > 0; {
		end := strings.IndexByte(rest, '\n')
		line := rest[:end]
		rest = rest[end+1:]
		if len(line) > 0 {
			b.WriteString(body)
			for i := 0; i < len(line); i++ {
				if (line[i] == '$' || line[i] == '%') && i+1 < len(line) && line[i+1] == '{' {
					b.WriteByte(line[i]) // the same template escapes as in quoted strings
				}
				b.WriteByte(line[i])
			}
		}
		b.WriteByte('\n')
	}
	b.WriteString(body[:indent])
	b.WriteString(delimiter)
	return b.String()
}

// heredocDelimiter is HclString.HeredocOrNull's decision: the delimiter of the flush heredoc that holds value
// unchanged, or "" when none can (no final newline, a whitespace-only line, no unindented line, a character a heredoc
// cannot spell, or every delimiter occurs as a line).
func heredocDelimiter(value string) string {
	if len(value) == 0 || value[len(value)-1] != '\n' {
		return ""
	}
	unindented := false
	for rest := value; len(rest) > 0; {
		end := strings.IndexByte(rest, '\n')
		line := rest[:end]
		rest = rest[end+1:]
		if len(line) == 0 {
			continue
		}
		if strings.TrimSpace(line) == "" {
			return ""
		}
		first, _ := utf8.DecodeRuneInString(line)
		if !unicode.IsSpace(first) {
			if unicode.In(first, unicode.Mn, unicode.Me, unicode.Mc) {
				return "" // would fuse with the last indentation space into one grapheme cluster
			}
			unindented = true
		}
		for _, r := range line {
			if (r != '\t' && mustBeEscaped(r)) || r == utf8.RuneError {
				return ""
			}
		}
	}
	if !unindented {
		return ""
	}
	for _, delimiter := range [...]string{"EOH", "EOT", "EOF", "END_OF_TEXT"} {
		if !hasLine(value, delimiter) {
			return delimiter
		}
	}
	return ""
}

func hasLine(value, line string) bool {
	for rest := value; ; {
		end := strings.IndexByte(rest, '\n')
		if end < 0 {
			return strings.TrimSpace(rest) == line
		}
		if strings.TrimSpace(rest[:end]) == line {
			return true
		}
		rest = rest[end+1:]
	}
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if sha := os.Getenv("ANCHOR_SCRIPTS_SHA256"); sha != "" {
		scriptsSHA256 = sha
	}
	funcs := template.FuncMap{"q": q, "list": list, "key": key, "width": width, "keywidth": keywidth, "pad": pad, "text": text}
	t := template.Must(template.New("job").Delims("[[", "]]").Funcs(funcs).Parse(src))
	models := make([]job, 100)
	for i := range models {
		models[i] = model("svc" + strconv.Itoa(i))
	}
	if len(os.Args) > 2 && os.Args[2] == "print" {
		i := 0
		if len(os.Args) > 3 {
			i, _ = strconv.Atoi(os.Args[3])
		}
		if err := t.Execute(os.Stdout, models[i]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var buf bytes.Buffer
	start := time.Now()
	total := 0
	for i := 0; i < n; i++ {
		buf.Reset()
		if err := t.Execute(&buf, models[i%100]); err != nil {
			panic(err)
		}
		total += buf.Len()
	}
	el := time.Since(start)
	fmt.Printf("go text/template (same bytes): %d renders in %v: %.0f renders/s, %.1f us/render, %d bytes/render\n",
		n, el, float64(n)/el.Seconds(), float64(el.Nanoseconds())/1e3/float64(n), total/n)
}
