using System.Net;
using System.Text.Json;
using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.Att;

/// <summary>
/// AT&amp;T-style errors: <c>{"errorMessage","errorCode"}</c> with 400/401/404/500, the code a numeric string that may
/// be absent. 10000001 is bad credentials, 10000005 (or any 429) is throttling without <c>Retry-After</c>; anything
/// else, and HTML or empty bodies, map by status.
/// </summary>
internal sealed class AttErrorMapper : ICarrierErrorMapper
{
    public const string InvalidCredentials = "10000001";
    public const string RateLimitExceeded = "10000005";

    public DataRenewException Map(CarrierErrorResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? code = null;
        string? message = null;
        if (response.LooksLikeJson)
        {
            try
            {
                var error = JsonSerializer.Deserialize(response.Body.Span, AttJsonContext.Default.AttError);
                code = string.IsNullOrWhiteSpace(error?.ErrorCode) ? null : error.ErrorCode.Trim();
                message = error?.ErrorMessage;
            }
            catch (JsonException)
            {
                // A broken error body still maps by status.
            }
        }

        // A credentials refusal says all it needs by its code: its free text is left out, as it may echo the username and key.
        if (code == InvalidCredentials || response.StatusCode == HttpStatusCode.Unauthorized)
        {
            message = null;
        }

        // The style's codes are 8 digits, which the kit's sanitiser would mask as a possible phone or card number; a short
        // all-digit code cannot be either, so it is named as is.
        var text = code is { Length: <= 8 } && code.All(char.IsAsciiDigit)
            ? CarrierErrors.Describe(response, null, message) + $" (code {code})"
            : CarrierErrors.Describe(response, code, message);
        return code switch
        {
            InvalidCredentials => new AuthenticationFailedException(text, response.Details(code)),
            RateLimitExceeded => new RateLimitedException(text, response.Details(code, isTransient: true)),
            _ when response.StatusCode == HttpStatusCode.TooManyRequests => new RateLimitedException(text, response.Details(code, isTransient: true)),
            _ => Rebrand(CarrierErrors.ByStatus(response, code, message), text, response, code),
        };
    }

    // ByStatus picks the type; the message is ours (with the code readable).
    private static DataRenewException Rebrand(DataRenewException byStatus, string text, CarrierErrorResponse response, string? code) => byStatus switch
    {
        AuthenticationFailedException => new AuthenticationFailedException(text, response.Details(code)),
        RateLimitedException => new RateLimitedException(text, response.Details(code, isTransient: true)),
        CarrierUnavailableException => new CarrierUnavailableException(text, response.Details(code, isTransient: true)),
        CarrierRejectedException => new CarrierRejectedException(text, response.Details(code)),
        _ => byStatus,
    };
}
