using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// The Verizon style's error shapes: the service's <c>{"errorCode":"UnifiedWebService.REQUEST_FAILED.X","errorMessage"}</c>
/// (matched on X, never on the message), the API gateway's <c>{"fault":{"code":"900901",…}}</c>, XML
/// <c>&lt;am:fault&gt;</c> pages, and empty or HTML bodies (mapped by status).
/// </summary>
internal sealed partial class VerizonErrorMapper : ICarrierErrorMapper
{
    /// <summary>The session token expired: re-login once and resend.</summary>
    public const string SessionExpired = "SessionToken.Expired";

    /// <summary>The gateway's code for a bad or expired bearer token.</summary>
    public const string InvalidBearer = "900901";

    private const string RequestFailed = "REQUEST_FAILED.";

    public DataRenewException Map(CarrierErrorResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.LooksLikeJson && Read(response.Body) is { } body)
        {
            if (!string.IsNullOrWhiteSpace(body.ErrorCode))
            {
                return MapServiceError(response, CodeOf(body.ErrorCode), body.ErrorMessage);
            }

            if (body.Fault is { } fault)
            {
                return MapFault(response, fault.Code, fault.Message ?? fault.Description);
            }
        }
        else if (response.LooksLikeMarkup && IsGatewayFault(response.Body))
        {
            return MapFault(response, response.XmlElement("code"), response.XmlElement("message") ?? response.XmlElement("description"));
        }

        return CarrierErrors.ByStatus(response);
    }

    /// <summary>The part of a service error code after <c>REQUEST_FAILED.</c> (the code without the service prefix).</summary>
    internal static string CodeOf(string errorCode)
    {
        var at = errorCode.IndexOf(RequestFailed, StringComparison.Ordinal);
        return (at >= 0 ? errorCode[(at + RequestFailed.Length)..] : errorCode).Trim();
    }

    /// <summary>The gateway fault code of a buffered 401, for the bearer handler (no throwing, no secrets).</summary>
    internal static string? FaultCodeOf(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, VerizonJson.Default.VzErrorBody)?.Fault?.Code;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // <am:fault xmlns:am="…">…</am:fault> (the kit's XmlElement does not match an element that carries attributes).
    private static bool IsGatewayFault(ReadOnlyMemory<byte> body) =>
        FaultElement().IsMatch(Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, 64 * 1024)]));

    [GeneratedRegex(@"<(?:[A-Za-z_][\w.-]*:)?fault[\s>]", RegexOptions.CultureInvariant)]
    private static partial Regex FaultElement();

    private static VzErrorBody? Read(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body.Span, VerizonJson.Default.VzErrorBody);
        }
        catch (JsonException)
        {
            // A broken error body still maps by its status.
            return null;
        }
    }

    private static DataRenewException MapServiceError(CarrierErrorResponse response, string code, string? message)
    {
        var text = CarrierErrors.Describe(response, code, message);
        return code switch
        {
            "InvalidCredentials" => new AuthenticationFailedException(text, response.Details(code)),
            "AccountLocked" => new AuthenticationFailedException(text, response.Details(code), isLocked: true),
            SessionExpired => new AuthenticationFailedException(text, response.Details(code)),
            "PlanChangeLimitExceeded" => new PlanNotEligibleException(text, response.Details(code)),
            _ => CarrierErrors.ByStatus(response, code, message),
        };
    }

    private static DataRenewException MapFault(CarrierErrorResponse response, string? code, string? message)
    {
        var text = CarrierErrors.Describe(response, code, message);
        return code switch
        {
            // 900901: bad or expired bearer (the bearer handler already refreshed it once); 900902: missing.
            InvalidBearer or "900902" => new AuthenticationFailedException(text, response.Details(code)),
            "900802" => new RateLimitedException(text, response.Details(code, isTransient: true)),
            _ => CarrierErrors.ByStatus(response, code, message),
        };
    }
}
