using System.Collections.Concurrent;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// Bill to account, Verizon style: the plan change itself is billed to the account by the carrier, so there is no
/// separate charge to send. A charge "succeeds" at once with a payment id derived from its idempotency key (the same
/// key always gives the same id), and a refund (after a plan change that did not apply) gives back what was never
/// billed: it only records the refund. In memory; after a restart the same key yields the same ids again.
/// </summary>
internal sealed class VerizonBilling : IPaymentGateway
{
    private const string PaymentPrefix = "vzbill_";
    private readonly ConcurrentDictionary<string, PaymentResult> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RefundResult> _refunds = new(StringComparer.Ordinal);

    public Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var payment = _byKey.GetOrAdd(request.IdempotencyKey, static (key, r) =>
            new PaymentResult(PaymentPrefix + key, key, PaymentStatus.Succeeded, r.Amount, r.Method.Summary), request);
        return Task.FromResult(payment);
    }

    public Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byKey.TryGetValue(idempotencyKey, out var payment) ? payment : null);

    public Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paymentId);
        return paymentId.StartsWith(PaymentPrefix, StringComparison.Ordinal) && _byKey.TryGetValue(paymentId[PaymentPrefix.Length..], out var payment)
            ? Task.FromResult(payment)
            : throw new CarrierRejectedException($"No account charge '{paymentId}' is known.", new DataRenewErrorDetails(CarrierId.Verizon, CarrierErrorCode: "PaymentNotFound"));
    }

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var refund = _refunds.GetOrAdd(request.IdempotencyKey, static (key, r) => new RefundResult("vzrefund_" + key, r.PaymentId, r.Amount), request);
        return Task.FromResult(refund);
    }

    // Account charges complete at once: there is nothing left to cancel.
    public Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default) => GetPaymentAsync(paymentId, cancellationToken);
}
