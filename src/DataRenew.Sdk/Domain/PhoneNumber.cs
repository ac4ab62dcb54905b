namespace DataRenew.Sdk;

/// <summary>
/// A phone number in E.164 form (<c>+12025550143</c>). Parsing accepts US numbers written the ways
/// people write them — <c>(202) 555-0143</c>, <c>202-555-0143</c>, <c>202.555.0143</c>,
/// <c>1 202 555 0143</c>, <c>+1 202 555 0143</c> — and other countries' numbers with a leading <c>+</c>.
/// </summary>
/// <remarks>
/// A full phone number is personal data: <see cref="ToString"/> is masked (<c>+1******0143</c>) so
/// that logging or interpolating a number never leaks it. Read <see cref="E164"/> when the whole
/// number is needed.
/// </remarks>
public readonly struct PhoneNumber : IEquatable<PhoneNumber>
{
    private readonly string? _e164;

    private PhoneNumber(string e164) => _e164 = e164;

    /// <summary>The whole number in E.164 form, such as <c>+12025550143</c>.</summary>
    public string E164 => _e164 ?? string.Empty;

    /// <summary><see langword="true"/> for a North American Numbering Plan number (+1).</summary>
    public bool IsNanp => E164.StartsWith("+1", StringComparison.Ordinal);

    /// <summary>Parses a phone number; numbers without <c>+</c> are taken as US numbers.</summary>
    /// <exception cref="DataRenewValidationException">It is not a valid number.</exception>
    public static PhoneNumber Parse(string text) => TryParse(text, out var number, out var error)
        ? number
        : throw new DataRenewValidationException(nameof(text), error);

    /// <summary>Tries to parse a phone number; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out PhoneNumber number) => TryParse(text, out number, out _);

    private static bool TryParse(string? text, out PhoneNumber number, out string error)
    {
        number = default;
        error = "A phone number is 10 digits for a US number, such as (202) 555-0143, or + and a country code for others.";
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40)
        {
            return false;
        }

        Span<char> digits = stackalloc char[text.Length];
        var n = 0;
        var plus = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                digits[n++] = c;
            }
            else if (c == '+' && n == 0 && !plus)
            {
                plus = true;
            }
            else if (c is not ('-' or '.' or '(' or ')') && !char.IsWhiteSpace(c))
            {
                return false;
            }
        }

        var d = digits[..n];
        if (plus && (d.Length == 0 || d[0] != '1'))
        {
            // Another country: E.164 allows up to 15 digits and a country code that does not start with 0.
            if (d.Length is < 8 or > 15 || d[0] == '0')
            {
                error = "An international number is + followed by 8 to 15 digits, the first not 0.";
                return false;
            }

            number = new PhoneNumber("+" + d.ToString());
            return true;
        }

        if (d.Length == 11 && d[0] == '1')
        {
            d = d[1..];
        }
        else if (plus || d.Length != 10)
        {
            return false;
        }

        // NANP: area code and exchange start with 2-9; N11 codes (211, 911...) are service codes, neither area codes nor exchanges.
        if (d[0] < '2' || d[3] < '2' || (d[1] == '1' && d[2] == '1') || (d[4] == '1' && d[5] == '1'))
        {
            error = "That is not a valid US number: the area code and the exchange cannot start with 0 or 1, and cannot be N11 service codes such as 911.";
            return false;
        }

        number = new PhoneNumber("+1" + d.ToString());
        return true;
    }

    /// <summary>The country code's first digit and the last four digits, the rest masked: <c>+1******0143</c>.</summary>
    public string ToMaskedString() => E164.Length < 7 ? E164 : string.Concat(E164.AsSpan(0, 2), new string('*', E164.Length - 6), E164.AsSpan(E164.Length - 4));

    /// <summary>Equal when the E.164 forms are equal.</summary>
    public static bool operator ==(PhoneNumber left, PhoneNumber right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(PhoneNumber left, PhoneNumber right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(PhoneNumber other) => E164 == other.E164;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PhoneNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => E164.GetHashCode(StringComparison.Ordinal);

    /// <summary>The masked number (<c>+1******0143</c>); see <see cref="E164"/> for the whole number.</summary>
    public override string ToString() => ToMaskedString();
}
