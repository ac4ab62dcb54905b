using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Testing;

namespace DataRenew.Sdk.Tests.Support;

/// <summary>The fake carrier behind a seam: a test overrides only the calls it bends.</summary>
internal class DelegatingCarrier(FakeCarrier inner) : ICarrierProvider, ICarrierOrders
{
    public virtual CarrierDescriptor Descriptor => inner.Descriptor;

    public ICarrierAccounts Accounts => inner;

    public ICarrierUsage Usage => inner;

    public ICarrierPlanCatalog Catalog => inner;

    public ICarrierOrders Orders => this;

    public virtual IPaymentGateway? Billing => inner.Billing;

    public virtual Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
        inner.SubmitAsync(session, request, cancellationToken);

    public virtual Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
        inner.FindByRenewalAsync(session, request, cancellationToken);

    public virtual Task<CarrierOrder> GetAsync(CarrierSession session, CarrierOrder order, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
        inner.GetAsync(session, order, request, cancellationToken);
}

/// <summary>The fake payment gateway behind a seam: a test overrides only the calls it bends.</summary>
internal class DelegatingPaymentGateway(FakePaymentGateway inner) : IPaymentGateway
{
    public FakePaymentGateway Inner => inner;

    public virtual Task<PaymentResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) => inner.ChargeAsync(request, cancellationToken);

    public virtual Task<PaymentResult?> FindByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) => inner.FindByIdempotencyKeyAsync(idempotencyKey, cancellationToken);

    public virtual Task<PaymentResult> GetPaymentAsync(string paymentId, CancellationToken cancellationToken = default) => inner.GetPaymentAsync(paymentId, cancellationToken);

    public virtual Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken = default) => inner.RefundAsync(request, cancellationToken);

    public virtual Task<PaymentResult> CancelAsync(string paymentId, CancellationToken cancellationToken = default) => inner.CancelAsync(paymentId, cancellationToken);
}
