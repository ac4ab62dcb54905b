using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DataRenew.Sdk;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.ResumeHost;

/// <summary>
/// A card processor over HTTP, so that the test process and the resume host see the same payments (an in-memory
/// gateway dies with its process). It speaks the tiny REST shape the test's stub serves
/// (tests/DataRenew.Sdk.Tests/Renewal/Journal/PaymentProcessorStub.cs); the test project compiles this file too.
/// </summary>
/// <remarks>
/// <c>POST charges</c> and <c>POST charges/{id}/refunds</c> carry an <c>Idempotency-Key</c> header;
/// <c>GET charges?idempotency_key=…</c> answers 404 when no charge with that key arrived. Other errors are
/// <see cref="ErrorWire"/> with a 4xx (a refusal) or a 5xx (transient). Only card tokens are taken: no card number
/// ever travels, and the token is never in an exception.
/// </remarks>
internal sealed class HttpPaymentGateway(HttpClient http) : IPaymentGateway
{
    public async Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method is not TokenizedCardPaymentMethod card)
        {
            throw new DataRenewValidationException("request.Method", $"This processor takes card tokens only, not {request.Method.Kind}.");
        }

        var body = new ChargeWire(request.Amount.Amount, request.Amount.Currency, new CardWire(card.RevealToken(), card.Brand, card.Last4, card.Kind), request.Description);
        using var message = new HttpRequestMessage(HttpMethod.Post, "charges") { Content = JsonContent.Create(body, PaymentWireJson.Default.ChargeWire) };
        message.Headers.Add("Idempotency-Key", request.IdempotencyKey);
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, PaymentWireJson.Default.PaymentWire, cancellationToken).ConfigureAwait(false)).ToResult();
    }

    public async Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync("charges?idempotency_key=" + Uri.EscapeDataString(idempotencyKey), cancellationToken).ConfigureAwait(false);
        return response.StatusCode == System.Net.HttpStatusCode.NotFound
            ? null
            : (await ReadAsync(response, PaymentWireJson.Default.PaymentWire, cancellationToken).ConfigureAwait(false)).ToResult();
    }

    public async Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync("charges/" + Uri.EscapeDataString(paymentId), cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, PaymentWireJson.Default.PaymentWire, cancellationToken).ConfigureAwait(false)).ToResult();
    }

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new RefundRequestWire(request.Amount.Amount, request.Amount.Currency, request.Reason);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"charges/{Uri.EscapeDataString(request.PaymentId)}/refunds")
        {
            Content = JsonContent.Create(body, PaymentWireJson.Default.RefundRequestWire),
        };
        message.Headers.Add("Idempotency-Key", request.IdempotencyKey);
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var refund = await ReadAsync(response, PaymentWireJson.Default.RefundWire, cancellationToken).ConfigureAwait(false);
        return new RefundResult(refund.Id, refund.PaymentId, new Money(refund.Amount, refund.Currency));
    }

    public async Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsync($"charges/{Uri.EscapeDataString(paymentId)}/cancel", content: null, cancellationToken).ConfigureAwait(false);
        return (await ReadAsync(response, PaymentWireJson.Default.PaymentWire, cancellationToken).ConfigureAwait(false)).ToResult();
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            ErrorWire? error = null;
            try
            {
                error = await response.Content.ReadFromJsonAsync(PaymentWireJson.Default.ErrorWire, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // Not our error shape (a proxy's page): the status says enough.
            }

            throw new DataRenewException(
                $"The payment processor answered {status}: {error?.Message ?? "no details"}.",
                new DataRenewErrorDetails(StatusCode: status, CarrierErrorCode: error?.Code, IsTransient: status >= 500 || status == 429));
        }

        return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
            ?? throw new DataRenewException($"The payment processor answered {status} without a body.", new DataRenewErrorDetails(StatusCode: status, IsTransient: true));
    }
}

/// <summary>A charge as sent: the card by its token only.</summary>
internal sealed record ChargeWire(decimal Amount, string Currency, CardWire Card, string Description);

/// <summary>A processor's card token with what may be shown about the card.</summary>
internal sealed record CardWire(string Token, CardBrand Brand, string Last4, PaymentMethodKind Kind);

/// <summary>A payment as the processor reports it (never the token).</summary>
internal sealed record PaymentWire(
    string Id,
    string IdempotencyKey,
    PaymentStatus Status,
    decimal Amount,
    string Currency,
    PaymentMethodKind Kind,
    CardBrand? Brand,
    string? Last4,
    PayerActionKind? ActionKind,
    string? ActionPayload,
    string? DeclineCode,
    string? DeclineMessage)
{
    public static PaymentWire From(PaymentResult result) => new(
        result.PaymentId,
        result.IdempotencyKey,
        result.Status,
        result.Amount.Amount,
        result.Amount.Currency,
        result.Method.Kind,
        result.Method.Brand,
        result.Method.Last4,
        result.PayerAction?.Kind,
        result.PayerAction?.Payload,
        result.Decline?.Code,
        result.Decline?.Message);

    public PaymentResult ToResult() => new(
        Id,
        IdempotencyKey,
        Status,
        new Money(Amount, Currency),
        new PaymentMethodSummary(Kind, Brand, Last4),
        ActionKind is { } kind && ActionPayload is { } payload ? new PayerAction(kind, payload) : null,
        DeclineCode is { } code ? new PaymentDecline(code, DeclineMessage ?? PaymentDecline.FromCode(code).Message) : null);
}

/// <summary>A refund as asked for; the payment is in the path, the key in a header.</summary>
internal sealed record RefundRequestWire(decimal Amount, string Currency, string Reason);

/// <summary>A refund made.</summary>
internal sealed record RefundWire(string Id, string PaymentId, decimal Amount, string Currency);

/// <summary>Why the processor said no.</summary>
internal sealed record ErrorWire(string Code, string Message);

/// <summary>Source-generated (no reflection) JSON for the processor's wire shapes; enums as their names.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChargeWire))]
[JsonSerializable(typeof(PaymentWire))]
[JsonSerializable(typeof(RefundRequestWire))]
[JsonSerializable(typeof(RefundWire))]
[JsonSerializable(typeof(ErrorWire))]
internal sealed partial class PaymentWireJson : JsonSerializerContext;
