using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Renewal;

/// <summary>What driving one renewal needs besides its record: never journaled, rebuilt on resume.</summary>
/// <param name="Provider">The carrier.</param>
/// <param name="Session">A signed-in session at the carrier.</param>
/// <param name="Gateway">The gateway that takes this renewal's payment; null when the carrier collects it with the order.</param>
/// <param name="PaymentMethod">The full payment method, held in memory only; needed only to send a charge that never reached the gateway.</param>
internal sealed record RenewalContext(ICarrierProvider Provider, CarrierSession Session, IPaymentGateway? Gateway, PaymentMethod? PaymentMethod);
