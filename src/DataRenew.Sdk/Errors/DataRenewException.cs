namespace DataRenew.Sdk;

/// <summary>
/// The base of every error the SDK raises. It carries what a caller acts on: which carrier, the HTTP
/// status and the carrier's own error code when there was one, the carrier's request id for support,
/// and whether trying again later can succeed.
/// </summary>
/// <remarks>Messages never contain card data, passwords, tokens, one-time codes or full phone numbers.</remarks>
public class DataRenewException : Exception
{
    /// <summary>Creates an error with a message.</summary>
    public DataRenewException(string message) : base(message) { }

    /// <summary>Creates an error with a message and the error that caused it.</summary>
    public DataRenewException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates an error with a message and the details a caller acts on.</summary>
    public DataRenewException(string message, DataRenewErrorDetails details, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(details);
        Carrier = details.Carrier;
        StatusCode = details.StatusCode;
        CarrierErrorCode = details.CarrierErrorCode;
        RequestId = details.RequestId;
        IsTransient = details.IsTransient;
        RetryAfter = details.RetryAfter;
    }

    /// <summary>The carrier involved, when the error came from one.</summary>
    public CarrierId? Carrier { get; }

    /// <summary>The HTTP status the carrier answered with, when there was a response.</summary>
    public int? StatusCode { get; }

    /// <summary>The carrier's raw error code (for example <c>PlanChangeLimitExceeded</c>), when it sent one.</summary>
    public string? CarrierErrorCode { get; }

    /// <summary>The carrier's request or correlation id, worth quoting to its support.</summary>
    public string? RequestId { get; }

    /// <summary><see langword="true"/> when the same call may succeed if tried again later.</summary>
    public bool IsTransient { get; }

    /// <summary>How long the carrier asked the caller to wait before trying again, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The details of a <see cref="DataRenewException"/> that a caller acts on.</summary>
/// <param name="Carrier">The carrier involved.</param>
/// <param name="StatusCode">The HTTP status, when there was a response.</param>
/// <param name="CarrierErrorCode">The carrier's raw error code.</param>
/// <param name="RequestId">The carrier's request id.</param>
/// <param name="IsTransient">Whether a later try may succeed.</param>
/// <param name="RetryAfter">How long to wait before trying again.</param>
public sealed record DataRenewErrorDetails(
    CarrierId? Carrier = null,
    int? StatusCode = null,
    string? CarrierErrorCode = null,
    string? RequestId = null,
    bool IsTransient = false,
    TimeSpan? RetryAfter = null);
