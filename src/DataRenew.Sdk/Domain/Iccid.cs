namespace DataRenew.Sdk;

/// <summary>
/// A SIM's Integrated Circuit Card Identifier (ITU-T E.118): 19 or 20 digits beginning with <c>89</c>,
/// with a valid Luhn check digit. Spaces and dashes between groups are accepted when parsing.
/// </summary>
public readonly struct Iccid : IEquatable<Iccid>
{
    private readonly string? _value;

    private Iccid(string value) => _value = value;

    /// <summary>The digits.</summary>
    public string Value => _value ?? string.Empty;

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
