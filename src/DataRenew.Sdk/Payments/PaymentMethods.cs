using System.Globalization;

namespace DataRenew.Sdk.Payments;

/// <summary>The kinds of payment method.</summary>
public enum PaymentMethodKind
{
    /// <summary>A credit card.</summary>
    CreditCard,

    /// <summary>A debit card.</summary>
    DebitCard,

    /// <summary>PayPal (the payer approves on PayPal).</summary>
    PayPal,

    /// <summary>An Apple Pay payment token.</summary>
    ApplePay,

    /// <summary>Alipay (the payer scans a QR code or is redirected); eSIM purchases.</summary>
    Alipay,

    /// <summary>WeChat Pay (the payer scans a QR code); eSIM purchases.</summary>
    WeChatPay,

    /// <summary>Added to the carrier account's bill.</summary>
    CarrierBilling,
}

/// <summary>Card networks recognised from a card number.</summary>
public enum CardBrand
{
    /// <summary>Visa.</summary>
    Visa,

    /// <summary>Mastercard.</summary>
    Mastercard,

    /// <summary>American Express.</summary>
    AmericanExpress,

    /// <summary>Discover.</summary>
    Discover,

    /// <summary>JCB.</summary>
    Jcb,

    /// <summary>Diners Club.</summary>
    DinersClub,

    /// <summary>UnionPay.</summary>
    UnionPay,
}

/// <summary>
/// What may be shown, logged and journaled about a payment method: its kind, and for cards the brand
/// and last four digits. Never the card number, the CVV or a token.
/// </summary>
/// <param name="Kind">The kind of method.</param>
/// <param name="Brand">The card brand, for cards.</param>
/// <param name="Last4">The card's last four digits, for cards.</param>
public sealed record PaymentMethodSummary(PaymentMethodKind Kind, CardBrand? Brand = null, string? Last4 = null)
{
    /// <summary>Such as <c>Visa credit •••• 4242</c>, <c>PayPal</c> or <c>Carrier bill</c>.</summary>
    public override string ToString() => Kind switch
    {
        PaymentMethodKind.CreditCard or PaymentMethodKind.DebitCard =>
            $"{BrandName(Brand)} {(Kind == PaymentMethodKind.CreditCard ? "credit" : "debit")} •••• {Last4}",
        PaymentMethodKind.ApplePay => "Apple Pay",
        PaymentMethodKind.WeChatPay => "WeChat Pay",
        PaymentMethodKind.CarrierBilling => "Carrier bill",
        _ => Kind.ToString(),
    };

    private static string BrandName(CardBrand? brand) => brand switch
    {
        CardBrand.AmericanExpress => "American Express",
        CardBrand.DinersClub => "Diners Club",
        CardBrand.Jcb => "JCB",
        null => "Card",
        _ => brand.Value.ToString(),
    };
}

/// <summary>
/// How a renewal is paid. Build one with the factory methods; they validate locally, so a wrong card
/// number, expiry or CVV fails before anything is sent. Secret parts are never in <see cref="ToString"/>.
/// </summary>
public abstract class PaymentMethod
{
    private protected PaymentMethod() { }

    /// <summary>The kind of method.</summary>
    public abstract PaymentMethodKind Kind { get; }

    /// <summary>What may be shown, logged and journaled about it.</summary>
    public virtual PaymentMethodSummary Summary => new(Kind);

    /// <summary>A credit card; see <see cref="CardPaymentMethod.Create"/>.</summary>
    public static CardPaymentMethod CreditCard(string number, int expiryMonth, int expiryYear, string cvv)
        => CardPaymentMethod.Create(number, expiryMonth, expiryYear, cvv, PaymentMethodKind.CreditCard);

    /// <summary>A debit card; see <see cref="CardPaymentMethod.Create"/>.</summary>
    public static CardPaymentMethod DebitCard(string number, int expiryMonth, int expiryYear, string cvv)
        => CardPaymentMethod.Create(number, expiryMonth, expiryYear, cvv, PaymentMethodKind.DebitCard);

    /// <summary>PayPal: the payer approves the payment on PayPal (the renewal reports the approval URL).</summary>
    public static PaymentMethod PayPal() => new SimplePaymentMethod(PaymentMethodKind.PayPal);

    /// <summary>Alipay: the payer scans a QR code or follows a link (the renewal reports it).</summary>
    public static PaymentMethod Alipay() => new SimplePaymentMethod(PaymentMethodKind.Alipay);

    /// <summary>WeChat Pay: the payer scans a QR code (the renewal reports it).</summary>
    public static PaymentMethod WeChatPay() => new SimplePaymentMethod(PaymentMethodKind.WeChatPay);

    /// <summary>Added to the bill of the carrier account the person signed in to.</summary>
    public static PaymentMethod CarrierBilling() => new SimplePaymentMethod(PaymentMethodKind.CarrierBilling);

    /// <summary>An Apple Pay payment token, as the app received it from PassKit.</summary>
    public static ApplePayPaymentMethod ApplePay(string paymentToken) => new(paymentToken);

    /// <summary>
    /// A card your payment processor already holds, by its token (a Stripe <c>pm_…</c>, a Braintree nonce):
    /// the app never touches the card number, which keeps it out of PCI scope. The processor checked the card.
    /// </summary>
    /// <param name="token">The processor's token for the card.</param>
    /// <param name="brand">The brand the processor reported.</param>
    /// <param name="last4">The last four digits the processor reported, for receipts.</param>
    /// <param name="kind"><see cref="PaymentMethodKind.CreditCard"/> or <see cref="PaymentMethodKind.DebitCard"/>.</param>
    public static TokenizedCardPaymentMethod CardToken(string token, CardBrand brand, string last4, PaymentMethodKind kind = PaymentMethodKind.CreditCard) =>
        new(token, brand, last4, kind);

    /// <summary>The summary; never a secret.</summary>
    public override string ToString() => Summary.ToString();
}

internal sealed class SimplePaymentMethod(PaymentMethodKind kind) : PaymentMethod
{
    public override PaymentMethodKind Kind { get; } = kind;
}

/// <summary>A card held by the payment processor, by its token. The token is a secret: it is not in <see cref="PaymentMethod.ToString"/>.</summary>
public sealed class TokenizedCardPaymentMethod : PaymentMethod
{
    private readonly string _token;

    internal TokenizedCardPaymentMethod(string token, CardBrand brand, string last4, PaymentMethodKind kind)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 4096)
        {
            throw new DataRenewValidationException(nameof(token), "A card token is required (at most 4096 characters).");
        }

        if (last4 is not { Length: 4 } || !last4.All(char.IsAsciiDigit))
        {
            throw new DataRenewValidationException(nameof(last4), "The last four digits of the card are four digits.");
        }

        if (kind is not (PaymentMethodKind.CreditCard or PaymentMethodKind.DebitCard))
        {
            throw new DataRenewValidationException(nameof(kind), "A card is a credit card or a debit card.");
        }

        if (!Enum.IsDefined(brand))
        {
            throw new DataRenewValidationException(nameof(brand), "The card brand is not one the SDK knows.");
        }

        _token = token;
        Brand = brand;
        Last4 = last4;
        Kind = kind;
    }

    /// <inheritdoc />
    public override PaymentMethodKind Kind { get; }

    /// <summary>The card network.</summary>
    public CardBrand Brand { get; }

    /// <summary>The last four digits.</summary>
    public string Last4 { get; }

    /// <inheritdoc />
    public override PaymentMethodSummary Summary => new(Kind, Brand, Last4);

    /// <summary>The processor's token, for the payment gateway to send. Never log it.</summary>
    public string RevealToken() => _token;
}

/// <summary>An Apple Pay token. The token is a secret: it is not in <see cref="PaymentMethod.ToString"/>.</summary>
public sealed class ApplePayPaymentMethod : PaymentMethod
{
    private readonly string _token;

    internal ApplePayPaymentMethod(string paymentToken)
    {
        if (string.IsNullOrWhiteSpace(paymentToken) || paymentToken.Length > 16_384)
        {
            throw new DataRenewValidationException(nameof(paymentToken), "An Apple Pay payment token is required (at most 16 KB).");
        }

        _token = paymentToken;
    }

    /// <inheritdoc />
    public override PaymentMethodKind Kind => PaymentMethodKind.ApplePay;

    /// <summary>The token, for a payment gateway to forward. Never log it.</summary>
    public string RevealToken() => _token;
}

/// <summary>
/// A credit or debit card, checked locally: the number's Luhn digit and length for its brand, the
/// expiry month, and the CVV's length for the brand. Whether the card has expired is checked against
/// the SDK's clock when a renewal starts (<see cref="IsExpiredAt"/>).
/// </summary>
public sealed class CardPaymentMethod : PaymentMethod
{
    private readonly string _number;
    private readonly string _cvv;

    private CardPaymentMethod(string number, CardBrand brand, int month, int year, string cvv, PaymentMethodKind kind)
    {
        _number = number;
        _cvv = cvv;
        Brand = brand;
        ExpiryMonth = month;
        ExpiryYear = year;
        Kind = kind;
    }

    /// <inheritdoc />
    public override PaymentMethodKind Kind { get; }

    /// <summary>The card network.</summary>
    public CardBrand Brand { get; }

    /// <summary>The last four digits.</summary>
    public string Last4 => _number[^4..];

    /// <summary>The expiry month, 1 to 12.</summary>
    public int ExpiryMonth { get; }

    /// <summary>The expiry year, four digits.</summary>
    public int ExpiryYear { get; }

    /// <inheritdoc />
    public override PaymentMethodSummary Summary => new(Kind, Brand, Last4);

    /// <summary>Validates and creates a card. Messages name what was wrong and never contain the number.</summary>
    /// <param name="number">The card number; spaces and dashes between groups are allowed.</param>
    /// <param name="expiryMonth">1 to 12.</param>
    /// <param name="expiryYear">Four digits, or two digits meaning 20xx.</param>
    /// <param name="cvv">Three digits (four for American Express).</param>
    /// <param name="kind"><see cref="PaymentMethodKind.CreditCard"/> or <see cref="PaymentMethodKind.DebitCard"/>.</param>
    /// <exception cref="DataRenewValidationException">Something is wrong with the card details.</exception>
    public static CardPaymentMethod Create(string number, int expiryMonth, int expiryYear, string cvv, PaymentMethodKind kind = PaymentMethodKind.CreditCard)
    {
        if (kind is not (PaymentMethodKind.CreditCard or PaymentMethodKind.DebitCard))
        {
            throw new DataRenewValidationException(nameof(kind), "A card is a credit card or a debit card.");
        }

        var digits = Luhn.DigitsOnly(number, 19);
        if (digits is null || digits.Length < 12)
        {
            throw new DataRenewValidationException(nameof(number), "A card number is 12 to 19 digits.");
        }

        var brand = BrandOf(digits) ?? throw new DataRenewValidationException(nameof(number), "The card number does not belong to a card network the SDK accepts (Visa, Mastercard, American Express, Discover, JCB, Diners Club, UnionPay).");
        if (!LengthFits(brand, digits.Length))
        {
            throw new DataRenewValidationException(nameof(number), $"A {brand} card number does not have {digits.Length.ToString(CultureInfo.InvariantCulture)} digits; check for a missing or extra digit.");
        }

        if (!Luhn.IsValid(digits))
        {
            throw new DataRenewValidationException(nameof(number), "The card number's check digit is wrong; check for a mistyped digit.");
        }

        if (expiryMonth is < 1 or > 12)
        {
            throw new DataRenewValidationException(nameof(expiryMonth), "The expiry month is 1 to 12.");
        }

        if (expiryYear is >= 0 and < 100)
        {
            expiryYear += 2000;
        }

        if (expiryYear is < 2000 or > 2100)
        {
            throw new DataRenewValidationException(nameof(expiryYear), "The expiry year is four digits, such as 2028.");
        }

        var cvvLength = brand == CardBrand.AmericanExpress ? 4 : 3;
        if (cvv is null || cvv.Length != cvvLength || !cvv.All(char.IsAsciiDigit))
        {
            throw new DataRenewValidationException(nameof(cvv), $"The security code (CVV) of a {brand} card is {cvvLength.ToString(CultureInfo.InvariantCulture)} digits.");
        }

        return new CardPaymentMethod(digits, brand, expiryMonth, expiryYear, cvv, kind);
    }

    /// <summary>
    /// Whether the card has expired at a moment. A card is valid through the last day of its expiry
    /// month; since that day ends at different moments around the world, the card counts as expired only
    /// once the month has ended everywhere (12:00 UTC on the first of the next month). The processor has
    /// the last word on the days in between.
    /// </summary>
    public bool IsExpiredAt(DateTimeOffset now) =>
        now >= new DateTimeOffset(ExpiryYear, ExpiryMonth, 1, 12, 0, 0, TimeSpan.Zero).AddMonths(1);

    /// <summary>The full card number, for a payment gateway to send to its processor. Never log it.</summary>
    public string RevealNumber() => _number;

    /// <summary>The security code, for a payment gateway to send to its processor. Never log it.</summary>
    public string RevealCvv() => _cvv;

    /// <summary>Such as <c>Visa credit •••• 4242, expires 12/2028</c>.</summary>
    public override string ToString() => $"{Summary}, expires {ExpiryMonth:00}/{ExpiryYear}";

    internal static CardBrand? BrandOf(string d)
    {
        int Prefix(int n) => int.Parse(d.AsSpan(0, n), CultureInfo.InvariantCulture);
        return d[0] switch
        {
            '4' => CardBrand.Visa,
            '5' when Prefix(2) is >= 51 and <= 55 => CardBrand.Mastercard,
            '2' when Prefix(4) is >= 2221 and <= 2720 => CardBrand.Mastercard,
            '3' when Prefix(2) is 34 or 37 => CardBrand.AmericanExpress,
            '3' when Prefix(4) is >= 3528 and <= 3589 => CardBrand.Jcb,
            '3' when Prefix(2) is 36 or 38 or 39 || Prefix(3) is >= 300 and <= 305 || Prefix(4) == 3095 => CardBrand.DinersClub,
            '6' when Prefix(4) == 6011 || Prefix(2) == 65 || Prefix(3) is >= 644 and <= 649 => CardBrand.Discover,
            '6' when Prefix(2) == 62 => CardBrand.UnionPay,
            _ => null,
        };
    }

    private static bool LengthFits(CardBrand brand, int length) => brand switch
    {
        CardBrand.Visa => length is 13 or 16 or 19,
        CardBrand.Mastercard => length == 16,
        CardBrand.AmericanExpress => length == 15,
        CardBrand.DinersClub => length is >= 14 and <= 19,
        _ => length is >= 16 and <= 19,
    };
}
