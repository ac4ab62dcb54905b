using System.Collections.Concurrent;
using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Carriers.Att;

/// <summary>
/// "Bill to account" at an AT&amp;T-style carrier. The rate plan change itself is billed to the account by the carrier,
/// so there is nothing to charge beforehand: a charge succeeds at once with a payment id derived from its idempotency
/// key (the same key always gives the same id), and a refund (after the carrier refused the change) moves no money
/// either, because a refused change is never billed.
/// </summary>
internal sealed class AttBilling : IPaymentGateway
{
    private readonly ConcurrentDictionary<string, PaymentResult> _payments = new(StringComparer.Ordinal);

    public Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = _payments.GetOrAdd(request.IdempotencyKey, key => new PaymentResult(PaymentIdOf(key), key, PaymentStatus.Succeeded, request.Amount, request.Method.Summary));
        return Task.FromResult(result);
    }

    public Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(_payments.TryGetValue(idempotencyKey, out var result) ? result : null);

    public Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_payments.Values.FirstOrDefault(p => p.PaymentId == paymentId)
            ?? throw new CarrierRejectedException($"No account charge '{paymentId}' was recorded by this adapter.", new DataRenewErrorDetails(CarrierId.Att)));

    public Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(new RefundResult("att-refund-" + request.IdempotencyKey, request.PaymentId, request.Amount));
    }

    public async Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default) =>
        await GetPaymentAsync(paymentId, cancellationToken).ConfigureAwait(false);

    private static string PaymentIdOf(string idempotencyKey) => "att-bill-" + idempotencyKey;
}
