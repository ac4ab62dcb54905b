namespace DataRenew.Sdk;

/// <summary>
/// What a carrier addresses a line by: an ICCID where the carrier keys lines by SIM, the phone number where it keys
/// them by subscriber, or any opaque id of the carrier's own. It is the carrier's, so it is taken as reported (no check
/// digit or length rule of the SDK's); only emptiness, control characters and absurd lengths are refused. The journal,
/// quotes, receipts and orders key lines on it. <see cref="ToString"/> is masked: ids are personal data in logs.
/// </summary>
public readonly struct LineId : IEquatable<LineId>
{
    /// <summary>The longest id accepted, in characters.</summary>
    public const int MaxLength = 200;

    private readonly string? _value;

    /// <summary>Creates a line id from the carrier's own value.</summary>
    /// <exception cref="DataRenewValidationException">It is empty, longer than <see cref="MaxLength"/>, has leading or trailing spaces, or has control characters.</exception>
    public LineId(string value)
    {
        if (!IsValid(value))
        {
            throw new DataRenewValidationException(nameof(value), $"A line id is 1 to {MaxLength} printable characters without leading or trailing spaces.");
        }

        _value = value;
    }

    /// <summary>The carrier's id, whole. Personal data: log <see cref="ToMaskedString"/> instead.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether <paramref name="value"/> can be a line id (see <see cref="LineId(string)"/>).</summary>
    public static bool IsValid(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxLength && value.AsSpan().Trim().Length == value.Length && !value.AsSpan().ContainsAnyInRange('\0', '\u001f') && !value.Contains('\u007f', StringComparison.Ordinal);

    /// <summary>Tries to make a line id of what a carrier sent (trimmed first); <see langword="false"/> when nothing usable is left.</summary>
    public static bool TryCreate(string? value, out LineId id)
    {
        var trimmed = value?.Trim();
        id = IsValid(trimmed) ? new LineId(trimmed!) : default;
        return id.Value.Length > 0;
    }

    /// <summary>The line id of a SIM addressed by its ICCID.</summary>
    public static LineId Of(Iccid iccid) => new(iccid.Value);

    /// <summary>The line id of a line addressed by its number (E.164).</summary>
    public static LineId Of(PhoneNumber phoneNumber) => new(phoneNumber.E164);

    /// <summary>All but the last four characters starred, for logs: <c>***************0014</c>.</summary>
    public string ToMaskedString() => Account.Mask(Value);

    /// <summary>Equal when the values are equal, exactly.</summary>
    public static bool operator ==(LineId left, LineId right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(LineId left, LineId right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(LineId other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LineId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <summary>The id masked (<see cref="ToMaskedString"/>), so that logging a line id never leaks it.</summary>
    public override string ToString() => ToMaskedString();
}
