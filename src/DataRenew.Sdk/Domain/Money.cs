using System.Globalization;

namespace DataRenew.Sdk;

/// <summary>
/// An amount of money in one ISO 4217 currency. Arithmetic and comparison refuse to mix currencies;
/// <see cref="RoundToMinorUnit"/> rounds half away from zero to the currency's minor unit (cents for USD).
/// </summary>
public readonly struct Money : IEquatable<Money>, IComparable<Money>
{
    private const int MaxParsedDecimals = 10;

    private readonly string? _currency;

    /// <summary>Creates an amount in a currency.</summary>
    /// <param name="amount">The amount, in major units (dollars for USD).</param>
    /// <param name="currency">An ISO 4217 code of three letters, such as <c>USD</c>; case does not matter.</param>
    /// <exception cref="DataRenewValidationException">The currency is not three letters.</exception>
    public Money(decimal amount, string currency)
    {
        Amount = amount;
        _currency = NormalizeCurrency(currency, nameof(currency));
    }

    /// <summary>The amount in major units.</summary>
    public decimal Amount { get; }

    /// <summary>The ISO 4217 currency code, upper case (empty for <c>default(Money)</c>).</summary>
    public string Currency => _currency ?? string.Empty;

    /// <summary>The number of digits after the decimal point in this currency (2 for USD, 0 for JPY).</summary>
    public int MinorUnitDigits => Currency switch
    {
        "JPY" or "KRW" or "VND" or "CLP" or "ISK" or "UGX" => 0,
        "BHD" or "KWD" or "OMR" or "JOD" or "TND" => 3,
        _ => 2,
    };

    /// <summary>Creates an amount in US dollars.</summary>
    public static Money Usd(decimal amount) => new(amount, "USD");

    /// <summary>Zero in a currency.</summary>
    public static Money Zero(string currency) => new(0m, currency);

    /// <summary>Rounds to the currency's minor unit, half away from zero ($0.125 becomes $0.13).</summary>
    public Money RoundToMinorUnit() => new(Math.Round(Amount, MinorUnitDigits, MidpointRounding.AwayFromZero), Currency);

    /// <summary>The amount less a percentage, rounded to the minor unit: 25 % off $40.00 is $30.00.</summary>
    /// <param name="percent">A percentage from 0 to 100.</param>
    public Money LessPercent(decimal percent)
    {
        if (percent is < 0m or > 100m)
        {
            throw new DataRenewValidationException(nameof(percent), $"A percentage must be between 0 and 100, not {percent.ToString(CultureInfo.InvariantCulture)}.");
        }

        // Divided first: a price near decimal's limit times (100 − percent) would overflow; a hundredth of any price is exact.
        return new Money(Amount / 100m * (100m - percent), Currency).RoundToMinorUnit();
    }

    /// <summary>
    /// Parses what <see cref="ToString"/> writes and the usual variants: <c>30.00 USD</c>, <c>USD 30.00</c>,
    /// <c>$30.00</c>, <c>$1,234.50</c>, <c>-$5.00</c>, with at most 10 decimal places. Digits are invariant: a comma is only taken as a
    /// thousands separator between groups of three (<c>30,00 EUR</c> is refused, not read as 3000).
    /// </summary>
    /// <exception cref="DataRenewValidationException">The text is not an amount with a currency.</exception>
    public static Money Parse(string text)
    {
        if (TryParse(text, out var money, out var error))
        {
            return money;
        }

        throw new DataRenewValidationException(nameof(text), error);
    }

    /// <summary>Tries to parse an amount; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out Money money) => TryParse(text, out money, out _);

    private static bool TryParse(string? text, out Money money, out string error)
    {
        money = default;
        var s = text?.Trim() ?? string.Empty;
        string? currency = null;
        var negative = s.StartsWith("-$", StringComparison.Ordinal);
        if (negative)
        {
            s = s[1..];
        }

        if (s.StartsWith('$'))
        {
            currency = "USD";
            s = s[1..].Trim();
        }
        else if (s.Length > 4 && char.IsAsciiLetter(s[0]) && s[3] == ' ')
        {
            currency = s[..3];
            s = s[4..].Trim();
        }
        else if (s.Length > 4 && char.IsAsciiLetter(s[^1]) && s[^4] == ' ')
        {
            currency = s[^3..];
            s = s[..^4].Trim();
        }

        if (currency is null || !IsCurrencyCode(currency))
        {
            error = "An amount needs a currency, written like '30.00 USD' or '$30.00'.";
            return false;
        }

        if (s.Length is 0 or > 40 || (negative && s.StartsWith('-')) || !HasValidGrouping(s)
            || !decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var amount))
        {
            error = "The amount is not a number written with digits and an optional decimal point.";
            return false;
        }

        // ToString shows at most 10 decimals: more would come back as a different amount.
        if (Math.Round(amount, MaxParsedDecimals) != amount)
        {
            error = "The amount has more than 10 decimal places.";
            return false;
        }

        money = new Money(negative ? -amount : amount, currency);
        error = string.Empty;
        return true;
    }

    /// <summary>Adds two amounts of the same currency.</summary>
    /// <exception cref="DataRenewValidationException">The currencies differ.</exception>
    public static Money operator +(Money left, Money right) => new(left.Amount + right.Amount, SameCurrency(left, right));

    /// <summary>Subtracts two amounts of the same currency.</summary>
    /// <exception cref="DataRenewValidationException">The currencies differ.</exception>
    public static Money operator -(Money left, Money right) => new(left.Amount - right.Amount, SameCurrency(left, right));

    /// <summary>Multiplies an amount; the result is not rounded.</summary>
    public static Money operator *(Money money, decimal factor) => new(money.Amount * factor, money.Currency);

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator <(Money left, Money right) => left.CompareTo(right) < 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator >(Money left, Money right) => left.CompareTo(right) > 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator <=(Money left, Money right) => left.CompareTo(right) <= 0;

    /// <summary>Compares two amounts of the same currency.</summary>
    public static bool operator >=(Money left, Money right) => left.CompareTo(right) >= 0;

    /// <summary>Equal when the currency is the same and the amounts are equal (30.0 USD equals 30.00 USD).</summary>
    public static bool operator ==(Money left, Money right) => left.Equals(right);

    /// <summary>Not equal when the currency or the amount differs.</summary>
    public static bool operator !=(Money left, Money right) => !left.Equals(right);

    /// <inheritdoc />
    /// <exception cref="DataRenewValidationException">The currencies differ.</exception>
    public int CompareTo(Money other)
    {
        SameCurrency(this, other);
        return Amount.CompareTo(other.Amount);
    }

    /// <inheritdoc />
    public bool Equals(Money other) => Currency == other.Currency && Amount == other.Amount;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Money other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Currency, Amount);

    /// <summary>The amount with its currency: <c>$30.00</c> for US dollars, <c>30.00 EUR</c> otherwise.</summary>
    public override string ToString()
    {
        if (Currency.Length == 0)
        {
            return Amount.ToString(CultureInfo.InvariantCulture);
        }

        // Whole minor units print as such ($30.00); an unrounded amount keeps its extra digits rather than hide them.
        var digits = Math.Round(Amount, MinorUnitDigits) == Amount ? MinorUnitDigits : Math.Min((int)Amount.Scale, 10);
        var number = Math.Abs(Amount).ToString("N" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var sign = Amount < 0 ? "-" : string.Empty;
        return Currency == "USD" ? $"{sign}${number}" : $"{sign}{number} {Currency}";
    }

    private static string SameCurrency(Money left, Money right)
    {
        if (left.Currency != right.Currency)
        {
            throw new DataRenewValidationException("currency", $"Amounts in different currencies ({left.Currency} and {right.Currency}) cannot be combined or compared.");
        }

        return left.Currency;
    }

    // Commas may only separate groups of three digits before the decimal point: 1,234,567.50.
    private static bool HasValidGrouping(string number)
    {
        var integer = number.Split('.')[0].TrimStart('-');
        var groups = integer.Split(',');
        return groups.Length == 1
            || (groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3) && !number.AsSpan(integer.Length).Contains(','));
    }

    private static bool IsCurrencyCode(string code) => code.Length == 3 && char.IsAsciiLetter(code[0]) && char.IsAsciiLetter(code[1]) && char.IsAsciiLetter(code[2]);

    private static string NormalizeCurrency(string currency, string parameterName)
    {
        if (currency is null || !IsCurrencyCode(currency))
        {
            throw new DataRenewValidationException(parameterName, "A currency must be an ISO 4217 code of three letters, such as 'USD'.");
        }

        return currency.ToUpperInvariant();
    }
}
