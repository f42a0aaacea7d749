using System.Net;

namespace NomadDbPatterns.Nomad;

/// <summary>Base of every error this client raises, so a caller can catch them all in one place.</summary>
public class NomadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NomadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The client configuration (environment variables, certificate files) cannot be used.</summary>
public sealed class NomadConfigurationException : NomadException
{
    /// <summary>Creates the exception.</summary>
    public NomadConfigurationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Nomad answered with a non-success status. Nomad's HTTP layer writes the error as a plain-text body
/// (<c>command/agent/http.go</c>, <c>wrap</c>), which is kept in <see cref="NomadMessage"/>.
/// </summary>
public sealed class NomadApiException : NomadException
{
    /// <summary>Longest error body kept; a proxy in front of Nomad may answer with a whole HTML page.</summary>
    internal const int MaxMessageLength = 4000;

    /// <summary>Creates the exception.</summary>
    public NomadApiException(HttpStatusCode statusCode, string method, string path, string nomadMessage)
        : base(Describe(statusCode, method, path, nomadMessage))
    {
        StatusCode = statusCode;
        Method = method;
        Path = path;
        NomadMessage = nomadMessage;
    }

    /// <summary>The HTTP status Nomad answered with.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The HTTP method of the failed call.</summary>
    public string Method { get; }

    /// <summary>The API path of the failed call, without the query string.</summary>
    public string Path { get; }

    /// <summary>Nomad's error text (trimmed, cut at a few thousand characters).</summary>
    public string NomadMessage { get; }

    /// <summary>
    /// True when a check-and-set register was refused because the job changed since the plan
    /// (Nomad's "Enforcing job modify index" error).
    /// </summary>
    public bool IsEnforceIndexConflict =>
        NomadMessage.Contains("Enforcing job modify index", StringComparison.Ordinal);

    private static string Describe(HttpStatusCode status, string method, string path, string message)
    {
        var text = string.IsNullOrWhiteSpace(message) ? "(no message)" : message;
        return $"Nomad API {method} {path} failed with {(int)status} {status}: {text}";
    }
}

/// <summary>Nomad could not be reached (connection refused, DNS, TLS handshake or certificate failure).</summary>
public sealed class NomadConnectionException : NomadException
{
    /// <summary>Creates the exception.</summary>
    public NomadConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>A call took longer than <see cref="NomadClientOptions.Timeout"/>.</summary>
public sealed class NomadTimeoutException : NomadException
{
    /// <summary>Creates the exception.</summary>
    public NomadTimeoutException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
