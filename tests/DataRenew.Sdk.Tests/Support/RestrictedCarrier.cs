using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Testing;

namespace DataRenew.Sdk.Tests.Support;

/// <summary>The fake carrier seen through a descriptor that accepts fewer payment methods, and optionally without carrier billing.</summary>
internal sealed class RestrictedCarrier(FakeCarrier inner, IReadOnlyCollection<PaymentMethodKind> accepted, bool hasBilling) : DelegatingCarrier(inner)
{
    public override CarrierDescriptor Descriptor { get; } = new(inner.Descriptor.Id, "Picky Mobile", inner.Descriptor.SignInMethods, inner.Descriptor.Confirmation, accepted)
    {
        SupportContact = inner.Descriptor.SupportContact,
    };

    public override IPaymentGateway? Billing => hasBilling ? base.Billing : null;
}
