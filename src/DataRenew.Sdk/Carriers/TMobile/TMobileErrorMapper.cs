using System.Globalization;
using System.Net;
using System.Text.Json;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Carriers.TMobile;

/// <summary>
/// The TMF error shape <c>{"code","reason","message","status","referenceError","@type":"Error"}</c> into the SDK's errors.
/// Anything else (an empty body, a gateway's HTML or XML page, broken JSON) maps by status.
/// </summary>
internal sealed class TMobileErrorMapper : ICarrierErrorMapper
{
    public DataRenewException Map(CarrierErrorResponse response)
    {
        var error = Read(response);
        var code = error?.Code;
        var message = error?.Message ?? error?.Reason;

        // An authentication refusal says all it needs by its code: its free text is left out, as it may echo the code or a token.
        if (code is "OTP_INVALID" or "OTP_LOCKED" or "POP_INVALID" or "POP_REPLAYED" || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Locked)
        {
            message = null;
        }

        var text = CarrierErrors.Describe(response, code, message);
        return (response.StatusCode, code) switch
        {
            (_, "PAYMENT_DECLINED") or (HttpStatusCode.PaymentRequired, _) => new PaymentDeclinedException(
                PaymentDecline.FromCode(error?.DeclineCode is { Length: > 0 } decline ? CarrierErrors.Sanitise(decline) : "card_declined"),
                response.Details(code ?? "PAYMENT_DECLINED")),
            (_, "TOPUP_DISABLED") or (_, "PRODUCT_NOT_FOUND") => new PlanNotEligibleException(text, response.Details(code)),
            (_, "OTP_LOCKED") or (HttpStatusCode.Locked, _) => new AuthenticationFailedException(text, response.Details(code ?? "OTP_LOCKED"), isLocked: true),
            (_, "OTP_INVALID" or "POP_INVALID" or "POP_REPLAYED") => new AuthenticationFailedException(text, response.Details(code)),
            (_, "IDEMPOTENCY_IN_FLIGHT") => new OutcomeUnknownException(
                text + " An earlier request with the same idempotency key is still being processed; its outcome is not known yet.", response.Details(code, isTransient: true)),
            (_, "IDEMPOTENCY_MISMATCH") => new CarrierRejectedException(text, response.Details(code)),
            (HttpStatusCode.TooManyRequests, _) => new RateLimitedException(text + RateLimits(response), response.Details(code, isTransient: true)),
            _ => CarrierErrors.ByStatus(response, code, message),
        };
    }

    private static TmfError? Read(CarrierErrorResponse response)
    {
        if (!response.LooksLikeJson)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(response.Body.Span, TMobileJson.Default.TmfError);
        }
        catch (JsonException)
        {
            // A broken error body still maps by status.
            return null;
        }
    }

    private static string RateLimits(CarrierErrorResponse response)
    {
        var limit = Header(response, "X-RateLimit-Limit");
        var remaining = Header(response, "X-RateLimit-Remaining");
        return limit is null && remaining is null ? string.Empty : $" (rate limit {limit ?? "?"}, remaining {remaining ?? "?"})";
    }

    private static string? Header(CarrierErrorResponse response, string name) =>
        response.Headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value.ToString(CultureInfo.InvariantCulture)
            : null;
}
