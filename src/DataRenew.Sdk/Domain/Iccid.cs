namespace DataRenew.Sdk;

/// <summary>
/// A SIM's Integrated Circuit Card Identifier. What a person types is checked strictly (<see cref="Parse"/>: ITU-T
/// E.118, 19 or 20 digits beginning with <c>89</c> with a valid Luhn check digit); what a carrier reports is taken as
/// the carrier's (<see cref="TryFromCarrier"/>): the structure is operator-specific, some platforms drop the check digit,
/// and a digit that fails the check is a fact (<see cref="HasValidCheckDigit"/>), never a reason to refuse the SIM.
/// </summary>
public readonly struct Iccid : IEquatable<Iccid>
{
    /// <summary>The longest ICCID a carrier may report, in characters (GSM 11.11's 10 octets are 20 digits; some platforms pad).</summary>
    public const int MaxCarrierLength = 32;

    private readonly string? _value;

    private Iccid(string value) => _value = value;

    /// <summary>The digits (or, as a carrier reported it, the characters).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>
    /// Whether the value is an E.118 ICCID with a valid Luhn check digit (19 or 20 digits starting with 89). Always
    /// <see langword="true"/> for a parsed one; a carrier's may not be.
    /// </summary>
    public bool HasValidCheckDigit => Value.Length is 19 or 20 && Value.StartsWith("89", StringComparison.Ordinal) && Value.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0 && Luhn.IsValid(Value);

    /// <summary>
    /// Takes an ICCID as a carrier reported it: trimmed, 1 to <see cref="MaxCarrierLength"/> ASCII letters or digits
    /// (hex padding such as a trailing <c>F</c> is kept). No check digit, prefix or length rule applies.
    /// </summary>
    /// <returns><see langword="false"/> when the text is empty or holds anything else (it is then no ICCID at all).</returns>
    public static bool TryFromCarrier(string? text, out Iccid iccid)
    {
        var value = text?.Trim();
        var valid = !string.IsNullOrEmpty(value) && value.Length <= MaxCarrierLength && value.All(char.IsAsciiLetterOrDigit);
        iccid = valid ? new Iccid(value!) : default;
        return valid;
    }

    /// <summary>Parses an ICCID.</summary>
    /// <exception cref="DataRenewValidationException">It is not 19–20 digits starting with 89 with a valid check digit.</exception>
    public static Iccid Parse(string text) => TryParse(text, out var iccid, out var error)
        ? iccid
        : throw new DataRenewValidationException(nameof(text), error);

    /// <summary>Tries to parse an ICCID; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out Iccid iccid) => TryParse(text, out iccid, out _);

    private static bool TryParse(string? text, out Iccid iccid, out string error)
    {
        iccid = default;
        var digits = Luhn.DigitsOnly(text, 20);
        if (digits is null || digits.Length < 19)
        {
            error = "An ICCID is 19 or 20 digits.";
            return false;
        }

        if (!digits.StartsWith("89", StringComparison.Ordinal))
        {
            error = "An ICCID starts with 89 (the telecom industry identifier).";
            return false;
        }

        if (!Luhn.IsValid(digits))
        {
            error = "The ICCID's check digit is wrong; check for a mistyped digit.";
            return false;
        }

        iccid = new Iccid(digits);
        error = string.Empty;
        return true;
    }

    /// <summary>The first six and last four digits, for logs: <c>891480*********0007</c>.</summary>
    public string ToMaskedString() => Value.Length < 10 ? Value : string.Concat(Value.AsSpan(0, 6), new string('*', Value.Length - 10), Value.AsSpan(Value.Length - 4));

    /// <summary>Equal when the digits are equal.</summary>
    public static bool operator ==(Iccid left, Iccid right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(Iccid left, Iccid right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(Iccid other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Iccid other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <summary>The digits.</summary>
    public override string ToString() => Value;
}
