using System.Collections.Concurrent;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// "Bill to account" for a carrier whose plan change is itself billed to the account, so there is no separate charge
/// to send: a charge succeeds at once with a payment id made from its idempotency key (the same key always gives the
/// same id), and a refund (after a plan change that did not apply) gives back what was never billed, so it only
/// records the refund. In memory; after a restart the same key yields the same ids again.
/// </summary>
public sealed class AccountBillingGateway : IPaymentGateway
{
    private readonly CarrierId _carrier;
    private readonly string _paymentPrefix;
    private readonly string _refundPrefix;
    private readonly ConcurrentDictionary<string, PaymentResult> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefundResult> _refunds = new(StringComparer.Ordinal);

    /// <summary>Creates the gateway.</summary>
    /// <param name="carrier">The carrier, for errors.</param>
    /// <param name="idPrefix">The start of every payment and refund id, for example <c>vz</c>.</param>
    public AccountBillingGateway(CarrierId carrier, string idPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(idPrefix);
        _carrier = carrier;
        _paymentPrefix = idPrefix + "bill_";
        _refundPrefix = idPrefix + "refund_";
    }

    /// <inheritdoc />
    public Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payment = _byKey.GetOrAdd(request.IdempotencyKey, static (key, state) =>
            new PaymentResult(state.Prefix + key, key, PaymentStatus.Succeeded, state.Request.Amount, state.Request.Method.Summary), (Prefix: _paymentPrefix, Request: request));
        return Task.FromResult(payment);
    }

    /// <inheritdoc />
    public Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byKey.TryGetValue(idempotencyKey, out var payment) ? payment : null);

    /// <inheritdoc />
    public Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paymentId);
        return paymentId.StartsWith(_paymentPrefix, StringComparison.Ordinal) && _byKey.TryGetValue(paymentId[_paymentPrefix.Length..], out var payment)
            ? Task.FromResult(payment)
            : throw new CarrierRejectedException($"No account charge '{CarrierErrors.Sanitise(paymentId)}' is known.", new DataRenewErrorDetails(_carrier, CarrierErrorCode: "PaymentNotFound"));
    }

    /// <inheritdoc />
    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refund = _refunds.GetOrAdd(request.IdempotencyKey, static (key, state) => new RefundResult(state.Prefix + key, state.Request.PaymentId, state.Request.Amount), (Prefix: _refundPrefix, Request: request));
        return Task.FromResult(refund);
    }

    /// <summary>Account charges complete at once: there is nothing left to cancel; answers the payment as it stands.</summary>
    public Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default) => GetPaymentAsync(paymentId, cancellationToken);
}
