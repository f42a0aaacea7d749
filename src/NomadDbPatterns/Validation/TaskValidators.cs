using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FluentValidation;
using NomadDbPatterns.Model;
using NomadDbPatterns.Spec;

namespace NomadDbPatterns.Validation;

/// <summary>Validates an extra task of the group (names across the group are the job validator's).</summary>
internal sealed class ExtraTaskValidator : AbstractValidator<ExtraTask>
{
    private static readonly ResourcesValidator ResourceRules = new(16);
    private static readonly AppVolumeValidator VolumeRules = new();
    private static readonly TemplateFileValidator TemplateRules = new();
    private static readonly ContainerOptionsValidator ContainerRules = new();
    private static readonly ServiceRegistrationValidator ServiceRules = new("JOB-TASK");

    /// <summary>Creates the validator.</summary>
    public ExtraTaskValidator()
    {
        TaskRules.NameImageAndEnv(this, t => t.Name, t => t.Image, t => t.Env);
        RuleFor(t => t.Resources).SetValidator(ResourceRules);
        RuleFor(t => t.Service!).SetValidator(ServiceRules).When(t => t.Service is not null);
        RuleForEach(t => t.Volumes).SetValidator(VolumeRules);
        RuleForEach(t => t.Templates).SetValidator(TemplateRules);
        RuleFor(t => t.Container).SetValidator(ContainerRules);
    }
}

/// <summary>Validates the Docker options of a task (the app's or an extra task's).</summary>
internal sealed class ContainerOptionsValidator : AbstractValidator<ContainerOptions>
{
    private static readonly DockerMountValidator MountRules = new();

    /// <summary>Creates the validator.</summary>
    public ContainerOptionsValidator()
    {
        RuleForEach(c => c.Mounts).SetValidator(MountRules);
        // Docker's privileged mode gives the container every capability and the host's devices: allowed, never quietly.
        RuleFor(c => c.Privileged).Equal(false).WithSeverity(FluentValidation.Severity.Warning).WithErrorCode(ErrorCodes.Privileged)
            .WithMessage("the container runs privileged (every capability, the host's devices); the node's Docker plugin must set allow_privileged = true or the task fails to start");
        RuleFor(c => c.ShmSize).Must(s => s!.Bytes is > 0).When(c => c.ShmSize is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(c => InputText.SizeProblem(c.ShmSize!.Text));
        RuleFor(c => c.Dns!).Custom(CheckDns).When(c => c.Dns is not null);
        RuleFor(c => c).Custom((options, context) =>
        {
            var targets = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < options.Mounts.Length; i++)
            {
                if (!targets.Add(options.Mounts[i].Target))
                {
                    context.Fail($"Mounts[{i}].Target", ErrorCodes.Mount, $"two mounts target '{Echo.Value(options.Mounts[i].Target)}' (Docker refuses a duplicate mount point)");
                }
            }
        });
    }

    private static void CheckDns(DnsSettings dns, ValidationContext<ContainerOptions> context)
    {
        // The Docker driver drops a server that netip.ParseAddr refuses (drivers/docker/driver.go:1335-1343).
        for (var i = 0; i < dns.Servers.Length; i++)
        {
            if (!IsIpAddress(dns.Servers[i]))
            {
                context.Fail($"Dns.Servers[{i}]", ErrorCodes.InvalidValue, $"'{Echo.Value(dns.Servers[i])}' is not an IP address (Docker's DNS servers are addresses, not names)");
            }
        }

        foreach (var (values, key) in new[] { (dns.Searches, "Searches"), (dns.Options, "Options") })
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i].Length == 0 || values[i].Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    context.Fail($"Dns.{key}[{i}]", ErrorCodes.InvalidValue, "a resolv.conf entry is one word: no spaces, not empty");
                }
            }
        }

        if (dns.Servers.IsEmpty && dns.Searches.IsEmpty && dns.Options.IsEmpty)
        {
            context.Fail("Dns", ErrorCodes.Required, "dns needs servers, searches or options");
        }
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address, as Go's netip.ParseAddr reads them.</summary>
    internal static bool IsIpAddress(string value)
    {
        if (!IPAddress.TryParse(value, out var address))
        {
            return false;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? value.Contains(':', StringComparison.Ordinal)
            : value.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0')
                && int.Parse(p, CultureInfo.InvariantCulture) <= 255);
    }
}

/// <summary>
/// Validates a Docker mount. The driver bind-mounts a relative source from the task directory and, with the plugin's
/// default <c>volumes.enabled = false</c>, refuses any source outside the allocation directory; a tmpfs has no source
/// (drivers/docker/config.go toDockerHostMount, drivers/docker/driver.go toDockerMount).
/// </summary>
internal sealed class DockerMountValidator : AbstractValidator<DockerMount>
{
    /// <summary>Creates the validator.</summary>
    public DockerMountValidator()
    {
        RuleFor(m => m.Target).Must(IsContainerPath).WithErrorCode(ErrorCodes.Mount).WithMessage("the target must be an absolute path in the container");
        RuleFor(m => m.Source).NotEmpty().When(m => m.Type == MountType.Bind).WithErrorCode(ErrorCodes.Required)
            .WithMessage("a bind mount needs a source: a file or directory of the task, e.g. local/app.conf");
        RuleFor(m => m.Source!).Must(IsTaskFile).When(m => m.Type == MountType.Bind && !string.IsNullOrEmpty(m.Source)).WithErrorCode(ErrorCodes.Mount)
            .WithMessage("a bind mount's source is a path under local/ or secrets/ of the task (a template's destination, say): host paths need the Docker plugin's volumes.enabled = true; mount a host volume with `volumes:` instead");
        RuleFor(m => m.Source).Null().When(m => m.Type == MountType.Tmpfs).WithErrorCode(ErrorCodes.Mount).WithMessage("a tmpfs mount has no source");
        RuleFor(m => m.TmpfsSize).Null().When(m => m.Type != MountType.Tmpfs).WithErrorCode(ErrorCodes.Mount).WithMessage("tmpfsSize applies to tmpfs mounts only");
        RuleFor(m => m.TmpfsSize).Must(s => s!.Bytes is > 0).When(m => m.Type == MountType.Tmpfs && m.TmpfsSize is not null).WithErrorCode(ErrorCodes.InvalidValue)
            .WithMessage(m => InputText.SizeProblem(m.TmpfsSize!.Text, "tmpfsSize"));
    }

    private static bool IsContainerPath(string path) =>
        path.StartsWith('/') && path.Length > 1 && !path.Split('/').Contains("..") && path.Trim() == path && !path.Any(char.IsControl) && !path.Contains(':', StringComparison.Ordinal);

    private static bool IsTaskFile(string path) =>
        (path.StartsWith("local/", StringComparison.Ordinal) || path.StartsWith("secrets/", StringComparison.Ordinal))
        && !path.Split('/').Contains("..") && path.Trim() == path && !path.Any(char.IsControl);
}
