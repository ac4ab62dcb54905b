using DataRenew.Sdk;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.ResumeHost;

/// <summary>
/// A carrier adapter that also takes cards, paid through the app's payment gateway before the order (the shipped
/// Verizon-style adapter bills the account only). Everything else is the adapter's own, so orders, look-ups and
/// de-duplication behave as shipped; only the descriptor gains the card kinds. The test project compiles this file too.
/// </summary>
internal sealed class CardPayingCarrier : ICarrierProvider
{
    private readonly ICarrierProvider _inner;

    public CardPayingCarrier(ICarrierProvider inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        var d = inner.Descriptor;
        Descriptor = new CarrierDescriptor(d.Id, d.DisplayName, d.SignInMethods, d.Confirmation, [.. d.AcceptedPayments, PaymentMethodKind.CreditCard, PaymentMethodKind.DebitCard])
        {
            SupportsESim = d.SupportsESim,
            MaxPlanChangesPerMonth = d.MaxPlanChangesPerMonth,
            DeduplicatesOrders = d.DeduplicatesOrders,
            CollectsPayment = d.CollectsPayment,
            SupportContact = d.SupportContact,
        };
    }

    public CarrierDescriptor Descriptor { get; }

    public ICarrierAccounts Accounts => _inner.Accounts;

    public ICarrierUsage Usage => _inner.Usage;

    public ICarrierPlanCatalog Catalog => _inner.Catalog;

    public ICarrierOrders Orders => _inner.Orders;

    public IPaymentGateway? Billing => _inner.Billing;

    /// <summary>
    /// Makes the carrier registered last (such as <c>AddVerizon</c>'s) take cards as well: its registration is
    /// replaced by one that wraps what it builds.
    /// </summary>
    public static DataRenewBuilder AcceptCardsOnLastCarrier(DataRenewBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var added = builder.Services.Last(d => d.ServiceType == typeof(ICarrierProvider));
        var create = added.ImplementationFactory
            ?? throw new InvalidOperationException("The last carrier was not registered with a factory; wrap it by hand.");
        builder.Services.Remove(added);
        builder.Services.AddSingleton<ICarrierProvider>(sp => new CardPayingCarrier((ICarrierProvider)create(sp)));
        return builder;
    }
}
