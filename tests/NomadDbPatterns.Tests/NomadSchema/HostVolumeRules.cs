using System.Globalization;
using System.Text.Json;

namespace NomadDbPatterns.Tests.NomadSchema;

/// <summary>
/// What Nomad v2.0.5 says about the host volume files beside the jobs, each rule with its source:
/// a dynamic host volume specification as <c>nomad volume create</c> decodes it and the server validates it, the
/// built-in <c>mkdir</c> plugin's parameters, and the client's static <c>host_volume</c> configuration block.
/// Input is hcl2json's JSON of one file. Every finding names its rule.
/// </summary>
public static class HostVolumeRules
{
    /// <summary>Top-level keys command/volume_create_host.go decodeHostVolume accepts: api.HostVolume's mapstructure tags
    /// (api/host_volumes.go) plus the blocks it parses itself (capability, constraint, capacity*, type) and parameters.</summary>
    private static readonly HashSet<string> VolumeKeys =
    [
        "namespace", "id", "name", "plugin_id", "node_pool", "node_id", "constraint", "capacity_min", "capacity_max", "capacity",
        "capability", "parameters", "host_path", "type",
    ];

    /// <summary>parseHostVolumeCapabilities: valid keys (command/volume_create_host.go).</summary>
    private static readonly HashSet<string> CapabilityKeys = ["access_mode", "attachment_mode"];

    /// <summary>parseConstraints: valid keys (command/volume_create_host.go).</summary>
    private static readonly HashSet<string> ConstraintKeys = ["attribute", "distinct_hosts", "distinct_property", "operator", "regexp", "set_contains", "value", "version", "semver"];

    /// <summary>HostVolumeCapability.Validate (nomad/structs/host_volumes.go).</summary>
    private static readonly HashSet<string> AccessModes = ["single-node-reader-only", "single-node-writer", "single-node-single-writer", "single-node-multi-writer"];
    private static readonly HashSet<string> AttachmentModes = ["block-device", "file-system"];

    /// <summary>Findings for a dynamic host volume specification.</summary>
    public static IReadOnlyList<string> CheckVolumeSpec(JsonElement file)
    {
        var findings = new List<string>();
        foreach (var property in file.EnumerateObject().Where(p => !VolumeKeys.Contains(p.Name)))
        {
            findings.Add($"[volume-create-keys] {property.Name}: not a key of a host volume specification (command/volume_create_host.go decodeHostVolume)");
        }

        // volume_create.go: the type picks the host or CSI decoder; only "host" is a dynamic host volume.
        if (String(file, "type") != "host")
        {
            findings.Add("[volume-create-type] type: must be \"host\" for a dynamic host volume (command/volume_create.go)");
        }

        // HostVolume.Validate: "missing name".
        if (string.IsNullOrEmpty(String(file, "name")))
        {
            findings.Add("[host-volume-name] name: missing name (HostVolume.Validate)");
        }

        foreach (var capability in Blocks(file, "capability"))
        {
            foreach (var key in capability.EnumerateObject().Select(p => p.Name).Where(k => !CapabilityKeys.Contains(k)))
            {
                findings.Add($"[volume-capability-keys] capability.{key}: invalid key (parseHostVolumeCapabilities)");
            }

            if (!AttachmentModes.Contains(String(capability, "attachment_mode") ?? string.Empty))
            {
                findings.Add($"[host-volume-capability] capability.attachment_mode: invalid attachment mode: \"{String(capability, "attachment_mode")}\" (HostVolumeCapability.Validate)");
            }

            if (!AccessModes.Contains(String(capability, "access_mode") ?? string.Empty))
            {
                findings.Add($"[host-volume-capability] capability.access_mode: invalid access mode: \"{String(capability, "access_mode")}\" (HostVolumeCapability.Validate)");
            }
        }

        foreach (var constraint in Blocks(file, "constraint"))
        {
            foreach (var key in constraint.EnumerateObject().Select(p => p.Name).Where(k => !ConstraintKeys.Contains(k)))
            {
                findings.Add($"[volume-constraint-keys] constraint.{key}: invalid key (parseConstraints)");
            }

            // HostVolume.Validate: "host volumes of the same name are always on distinct hosts".
            if (String(constraint, "operator") is "distinct_hosts" or "distinct_property" || constraint.TryGetProperty("distinct_hosts", out _) || constraint.TryGetProperty("distinct_property", out _))
            {
                findings.Add("[host-volume-constraint] constraint: invalid constraint: host volumes of the same name are always on distinct hosts (HostVolume.Validate)");
            }
        }

        // The mkdir plugin (client/hostvolumemanager/host_volume_plugin.go decodeMkdirParams): only mode (octal),
        // uid and gid (integers); anything else fails the create on the client.
        if ((String(file, "plugin_id") ?? "mkdir") == "mkdir")
        {
            foreach (var parameters in Blocks(file, "parameters"))
            {
                foreach (var p in parameters.EnumerateObject())
                {
                    var value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    var ok = p.Name switch
                    {
                        "mode" => value.Length > 0 && value.All(c => c is >= '0' and <= '7'),
                        "uid" or "gid" => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
                        _ => false,
                    };
                    if (!ok)
                    {
                        findings.Add(p.Name is "mode" or "uid" or "gid"
                            ? $"[mkdir-parameters] parameters.{p.Name}: invalid value for \"{p.Name}\": {value} (decodeMkdirParams)"
                            : $"[mkdir-parameters] parameters.{p.Name}: unknown mkdir parameter: \"{p.Name}\" (decodeMkdirParams)");
                    }
                }
            }
        }

        return findings;
    }

    /// <summary>
    /// Findings for a client configuration snippet: only a <c>client</c> block whose <c>host_volume "name"</c> blocks
    /// hold <c>path</c> (required: the client refuses a host volume without one) and <c>read_only</c>
    /// (ClientHostVolumeConfig's hcl tags, nomad/structs/volumes.go).
    /// </summary>
    public static IReadOnlyList<string> CheckClientSnippet(JsonElement file)
    {
        var findings = new List<string>();
        foreach (var property in file.EnumerateObject().Where(p => p.Name != "client"))
        {
            findings.Add($"[client-snippet-keys] {property.Name}: the snippet holds only a client block");
        }

        foreach (var client in Blocks(file, "client"))
        {
            foreach (var property in client.EnumerateObject().Where(p => p.Name != "host_volume"))
            {
                findings.Add($"[client-snippet-keys] client.{property.Name}: the snippet holds only host_volume blocks");
            }

            if (!client.TryGetProperty("host_volume", out var volumes) || volumes.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var volume in volumes.EnumerateObject())
            {
                foreach (var body in volume.Value.EnumerateArray())
                {
                    foreach (var key in body.EnumerateObject().Select(p => p.Name).Where(k => k is not ("path" or "read_only")))
                    {
                        findings.Add($"[client-host-volume-keys] client.host_volume.{volume.Name}.{key}: not a key of ClientHostVolumeConfig");
                    }

                    if (String(body, "path") is not { Length: > 1 } path || path[0] != '/')
                    {
                        findings.Add($"[client-host-volume-path] client.host_volume.{volume.Name}.path: an absolute path is required");
                    }
                }
            }
        }

        return findings;
    }

    private static string? String(JsonElement body, string key) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IEnumerable<JsonElement> Blocks(JsonElement body, string key) =>
        body.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];
}
