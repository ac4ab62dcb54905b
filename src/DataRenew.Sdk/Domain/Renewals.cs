using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk;

/// <summary>
/// The price a person saw for a plan on a line, valid until <see cref="ExpiresAt"/>. A renewal started
/// from a quote charges exactly this price or refuses with <see cref="QuoteNoLongerValidException"/>.
/// </summary>
/// <param name="Carrier">The carrier.</param>
/// <param name="Line">The line to renew.</param>
/// <param name="Option">The plan with promotions applied.</param>
/// <param name="CreatedAt">When the quote was made.</param>
/// <param name="ExpiresAt">When it stops being valid.</param>
public sealed record RenewalQuote(CarrierId Carrier, Line Line, RenewalOption Option, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The plan.</summary>
    public Plan Plan => Option.Plan;

    /// <summary>The price to pay.</summary>
    public Money Price => Option.Price;
}

/// <summary>The proof of a completed renewal, to show and keep.</summary>
/// <param name="RenewalId">The SDK's id for the renewal.</param>
/// <param name="Carrier">The carrier.</param>
/// <param name="CarrierOrderId">The carrier's id for the order.</param>
/// <param name="ConfirmationNumber">The carrier's confirmation number.</param>
/// <param name="Line">The line renewed.</param>
/// <param name="Plan">The plan applied.</param>
/// <param name="Amount">What was paid.</param>
/// <param name="Payment">The masked payment method.</param>
/// <param name="EffectiveAt">When the plan takes effect.</param>
/// <param name="CompletedAt">When the carrier confirmed it.</param>
/// <param name="SupportContact">Whom to contact about it.</param>
public sealed record RenewalReceipt(
    RenewalId RenewalId,
    CarrierId Carrier,
    string CarrierOrderId,
    string ConfirmationNumber,
    Line Line,
    Plan Plan,
    Money Amount,
    PaymentMethodSummary Payment,
    DateTimeOffset EffectiveAt,
    DateTimeOffset CompletedAt,
    string SupportContact)
{
    /// <summary>The confirmation, plan, amount and masked line; for logs and support.</summary>
    public override string ToString() =>
        $"Receipt {ConfirmationNumber} for renewal {RenewalId}: {Plan.Name} on line {Line.Id.ToMaskedString()}, {Amount} with {Payment}, order {CarrierOrderId} at {Carrier}, effective {EffectiveAt:u}";
}
