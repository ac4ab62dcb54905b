using System.Text.Json.Serialization;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Renewal;

// The journal's own wire shape: plain DTOs mapped by hand, so the file format does not change when a domain
// type gains a computed property, and every value type is rebuilt through its validating factory on load.
// Only masked payment data is here (kind, brand, last four): RenewalRecord holds nothing more.

internal sealed class JournalRecordDto
{
    public required string Id { get; init; }

    public required int Version { get; init; }

    public string? Nonce { get; init; }

    public required RenewalState State { get; init; }

    public required string Carrier { get; init; }

    public required string AccountId { get; init; }

    public required JournalLineDto Line { get; init; }

    public required JournalPlanDto Plan { get; init; }

    public required JournalMoneyDto Price { get; init; }

    public required JournalPaymentDto Payment { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public int ChargeAttempts { get; init; }

    public string? PaymentId { get; init; }

    public JournalPayerActionDto? PayerAction { get; init; }

    public DateTimeOffset? WaitDeadline { get; init; }

    public int OrderAttempts { get; init; }

    public DateTimeOffset? OrderedAt { get; init; }

    public JournalOrderDto? Order { get; init; }

    public int RefundAttempts { get; init; }

    public string? RefundId { get; init; }

    public JournalReceiptDto? Receipt { get; init; }

    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public JournalFailureDto? Failure { get; init; }
}

internal sealed class JournalLineDto
{
    // Absent in journals written before lines had ids of their own: those lines were addressed by their ICCID.
    public string? Id { get; init; }

    public string? Iccid { get; init; }

    public string? PhoneNumber { get; init; }

    public required SimKind SimKind { get; init; }

    public required LineStatus Status { get; init; }

    public required string CurrentPlan { get; init; }
}

internal sealed class JournalPlanDto
{
    public required string Code { get; init; }

    public required string Name { get; init; }

    public required long DataBytes { get; init; }

    public required JournalMoneyDto Price { get; init; }

    public required int ValidityDays { get; init; }
}

internal sealed class JournalMoneyDto
{
    public required decimal Amount { get; init; }

    public required string Currency { get; init; }
}

internal sealed class JournalPaymentDto
{
    public required PaymentMethodKind Kind { get; init; }

    public CardBrand? Brand { get; init; }

    public string? Last4 { get; init; }
}

internal sealed class JournalPayerActionDto
{
    public required PayerActionKind Kind { get; init; }

    public required string Payload { get; init; }
}

internal sealed class JournalOrderDto
{
    public required string OrderId { get; init; }

    public required CarrierOrderStatus Status { get; init; }

    public string? ConfirmationNumber { get; init; }

    public DateTimeOffset? EffectiveAt { get; init; }

    public string? FailureReason { get; init; }

    public string? FailureCode { get; init; }

    public JournalPayerActionDto? PayerAction { get; init; }
}

internal sealed class JournalReceiptDto
{
    public required string RenewalId { get; init; }

    public required string Carrier { get; init; }

    public required string CarrierOrderId { get; init; }

    public required string ConfirmationNumber { get; init; }

    public required JournalLineDto Line { get; init; }

    public required JournalPlanDto Plan { get; init; }

    public required JournalMoneyDto Amount { get; init; }

    public required JournalPaymentDto Payment { get; init; }

    public required DateTimeOffset EffectiveAt { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }

    public required string SupportContact { get; init; }
}

internal sealed class JournalFailureDto
{
    public required RenewalFailureKind Kind { get; init; }

    public required string Message { get; init; }

    public string? Code { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(JournalRecordDto))]
internal sealed partial class JournalJsonContext : JsonSerializerContext;

/// <summary>Maps <see cref="RenewalRecord"/> to and from the journal's DTOs, field by field.</summary>
internal static class JournalRecordMapper
{
    public static JournalRecordDto ToDto(RenewalRecord r) => new()
    {
        Id = r.Id.Value,
        Version = r.Version,
        Nonce = r.IdempotencyNonce,
        State = r.State,
        Carrier = r.Carrier.Value,
        AccountId = r.AccountId,
        Line = ToDto(r.Line),
        Plan = ToDto(r.Plan),
        Price = ToDto(r.Price),
        Payment = ToDto(r.Payment),
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
        ChargeAttempts = r.ChargeAttempts,
        PaymentId = r.PaymentId,
        PayerAction = ToDto(r.PayerAction),
        WaitDeadline = r.WaitDeadline,
        OrderAttempts = r.OrderAttempts,
        OrderedAt = r.OrderedAt,
        Order = r.Order is { } o
            ? new JournalOrderDto
            {
                OrderId = o.OrderId,
                Status = o.Status,
                ConfirmationNumber = o.ConfirmationNumber,
                EffectiveAt = o.EffectiveAt,
                FailureReason = o.FailureReason,
                FailureCode = o.FailureCode,
                PayerAction = ToDto(o.PayerAction),
            }
            : null,
        RefundAttempts = r.RefundAttempts,
        RefundId = r.RefundId,
        Receipt = r.Receipt is { } rc
            ? new JournalReceiptDto
            {
                RenewalId = rc.RenewalId.Value,
                Carrier = rc.Carrier.Value,
                CarrierOrderId = rc.CarrierOrderId,
                ConfirmationNumber = rc.ConfirmationNumber,
                Line = ToDto(rc.Line),
                Plan = ToDto(rc.Plan),
                Amount = ToDto(rc.Amount),
                Payment = ToDto(rc.Payment),
                EffectiveAt = rc.EffectiveAt,
                CompletedAt = rc.CompletedAt,
                SupportContact = rc.SupportContact,
            }
            : null,
        LeaseOwner = r.LeaseOwner,
        LeaseUntil = r.LeaseUntil,
        Failure = r.Failure is { } f ? new JournalFailureDto { Kind = f.Kind, Message = f.Message, Code = f.Code } : null,
    };

    /// <summary>Rebuilds the record; throws <see cref="DataRenewValidationException"/> when a value is not valid.</summary>
    public static RenewalRecord FromDto(JournalRecordDto d) => new()
    {
        Id = RenewalId.Parse(d.Id),
        Version = d.Version,
        IdempotencyNonce = d.Nonce,
        State = d.State,
        Carrier = ToCarrier(d.Carrier),
        AccountId = d.AccountId,
        Line = FromDto(d.Line, d.Carrier),
        Plan = FromDto(d.Plan),
        Price = FromDto(d.Price),
        Payment = FromDto(d.Payment),
        CreatedAt = d.CreatedAt,
        UpdatedAt = d.UpdatedAt,
        ChargeAttempts = d.ChargeAttempts,
        PaymentId = d.PaymentId,
        PayerAction = FromDto(d.PayerAction),
        WaitDeadline = d.WaitDeadline,
        OrderAttempts = d.OrderAttempts,
        OrderedAt = d.OrderedAt,
        Order = d.Order is { } o
            ? new CarrierOrder(o.OrderId, o.Status, o.ConfirmationNumber, o.EffectiveAt, o.FailureReason, o.FailureCode, FromDto(o.PayerAction))
            : null,
        RefundAttempts = d.RefundAttempts,
        RefundId = d.RefundId,
        Receipt = d.Receipt is { } rc
            ? new RenewalReceipt(RenewalId.Parse(rc.RenewalId), ToCarrier(rc.Carrier), rc.CarrierOrderId, rc.ConfirmationNumber, FromDto(rc.Line, rc.Carrier),
                FromDto(rc.Plan), FromDto(rc.Amount), FromDto(rc.Payment), rc.EffectiveAt, rc.CompletedAt, rc.SupportContact)
            : null,
        LeaseOwner = d.LeaseOwner,
        LeaseUntil = d.LeaseUntil,
        Failure = d.Failure is { } f ? new RenewalFailure(f.Kind, f.Message, f.Code) : null,
    };

    private static JournalLineDto ToDto(Line l) => new()
    {
        Id = l.Id.Value,
        Iccid = l.Iccid?.Value,
        PhoneNumber = l.PhoneNumber?.E164,
        SimKind = l.SimKind,
        Status = l.Status,
        CurrentPlan = l.CurrentPlan.Value,
    };

    private static Line FromDto(JournalLineDto l, string carrier) =>
        new(l.Id is { } id ? new LineId(id) : LegacyLineId(l, carrier), l.SimKind, l.Status, ToPlanCode(l.CurrentPlan))
        {
            Iccid = Iccid.TryFromCarrier(l.Iccid, out var iccid) ? iccid : null,
            PhoneNumber = l.PhoneNumber is null ? null : PhoneNumber.Parse(l.PhoneNumber),
        };

    /// <summary>
    /// A line journaled before lines had ids of their own: the id is what that SDK addressed it by, the ICCID, except at
    /// the T-Mobile style, which addressed a subscriber by number (it took an ICCID from the balance only as a label).
    /// </summary>
    private static LineId LegacyLineId(JournalLineDto l, string carrier) =>
        carrier == CarrierId.TMobile.Value && l.PhoneNumber is { } number ? new LineId(number)
        : l.Iccid is { } iccid ? new LineId(iccid)
        : throw new DataRenewValidationException(nameof(l.Id), "A journaled line has neither an id nor an ICCID.");

    private static JournalPlanDto ToDto(Plan p) => new()
    {
        Code = p.Code.Value,
        Name = p.Name,
        DataBytes = p.Data.Bytes,
        Price = ToDto(p.Price),
        ValidityDays = p.ValidityDays,
    };

    private static Plan FromDto(JournalPlanDto p) =>
        new(new PlanCode(p.Code), p.Name, p.DataBytes == DataAmount.Unlimited.Bytes ? DataAmount.Unlimited : DataAmount.FromBytes(p.DataBytes), FromDto(p.Price), p.ValidityDays);

    private static JournalMoneyDto ToDto(Money m) => new() { Amount = m.Amount, Currency = m.Currency };

    // A default Money (no currency) is written as such and read back as such.
    private static Money FromDto(JournalMoneyDto m) => m.Currency.Length == 0 && m.Amount == 0m ? default : new Money(m.Amount, m.Currency);

    private static JournalPaymentDto ToDto(PaymentMethodSummary p) => new() { Kind = p.Kind, Brand = p.Brand, Last4 = p.Last4 };

    private static PaymentMethodSummary FromDto(JournalPaymentDto p) => new(p.Kind, p.Brand, p.Last4);

    private static JournalPayerActionDto? ToDto(PayerAction? a) => a is null ? null : new() { Kind = a.Kind, Payload = a.Payload };

    private static PayerAction? FromDto(JournalPayerActionDto? a) => a is null ? null : new(a.Kind, a.Payload);

    private static CarrierId ToCarrier(string value) => value.Length == 0 ? default : new CarrierId(value);

    private static PlanCode ToPlanCode(string value) => value.Length == 0 ? default : new PlanCode(value);
}
