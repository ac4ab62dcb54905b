namespace DataRenew.Sdk;

/// <summary>
/// Identifies a carrier. Extensible: the well-known carriers have names here, and an adapter for any
/// other carrier uses its own id (lower-case letters, digits and dashes).
/// </summary>
public readonly struct CarrierId : IEquatable<CarrierId>
{
    private readonly string? _value;

    /// <summary>Creates a carrier id; it is stored in lower case.</summary>
    /// <exception cref="DataRenewValidationException">It is empty, longer than 40 characters, or has characters other than letters, digits and dashes.</exception>
    public CarrierId(string value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 40 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            throw new DataRenewValidationException(nameof(value), "A carrier id is 1 to 40 letters, digits or dashes.");
        }

        _value = value.ToLowerInvariant();
    }

    /// <summary>The Verizon-style adapter.</summary>
    public static CarrierId Verizon { get; } = new("verizon");

    /// <summary>The AT&amp;T-style adapter.</summary>
    public static CarrierId Att { get; } = new("att");

    /// <summary>The T-Mobile-style adapter.</summary>
    public static CarrierId TMobile { get; } = new("tmobile");

    /// <summary>The in-memory fake carrier of <c>DataRenew.Sdk.Testing</c>.</summary>
    public static CarrierId Fake { get; } = new("fake");

    /// <summary>The id, lower case.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Equal when the ids are equal.</summary>
    public static bool operator ==(CarrierId left, CarrierId right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(CarrierId left, CarrierId right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(CarrierId other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CarrierId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>
/// A carrier's code for a plan (<c>M2M10GB</c>, <c>ATT 10GB</c>, <c>tm-10gb-30d</c>). Extensible and
/// compared exactly, since carriers define their own codes.
/// </summary>
public readonly struct PlanCode : IEquatable<PlanCode>
{
    private readonly string? _value;

    /// <summary>Creates a plan code.</summary>
    /// <exception cref="DataRenewValidationException">It is empty, has leading or trailing spaces or control characters, or is longer than 100 characters.</exception>
    public PlanCode(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 100 || value.Trim().Length != value.Length || value.Any(char.IsControl))
        {
            throw new DataRenewValidationException(nameof(value), "A plan code is 1 to 100 printable characters without leading or trailing spaces.");
        }

        _value = value;
    }

    /// <summary>The code.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Equal when the codes are equal, case included.</summary>
    public static bool operator ==(PlanCode left, PlanCode right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(PlanCode left, PlanCode right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(PlanCode other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PlanCode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>
/// Identifies one renewal for its whole life: the journal's key, the payment's idempotency key and the
/// carrier order's reference all derive from it, so every retry and resume reuses them.
/// </summary>
public readonly struct RenewalId : IEquatable<RenewalId>
{
    private const string Prefix = "rnw_";
    private readonly string? _value;

    private RenewalId(string value) => _value = value;

    /// <summary>The id, such as <c>rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>A new id, ordered by creation time.</summary>
    public static RenewalId New() => new(Prefix + Guid.CreateVersion7().ToString("N"));

    /// <summary>Parses an id written by <see cref="Value"/>.</summary>
    /// <exception cref="DataRenewValidationException">It is not a renewal id.</exception>
    public static RenewalId Parse(string text) => TryParse(text, out var id)
        ? id
        : throw new DataRenewValidationException(nameof(text), "A renewal id is 'rnw_' followed by 32 lower-case hex digits.");

    /// <summary>Tries to parse an id.</summary>
    public static bool TryParse(string? text, out RenewalId id)
    {
        id = default;
        if (text is null || text.Length != Prefix.Length + 32 || !text.StartsWith(Prefix, StringComparison.Ordinal)
            || !text.AsSpan(Prefix.Length).ContainsOnlyHexLower())
        {
            return false;
        }

        id = new RenewalId(text);
        return true;
    }

    /// <summary>Equal when the ids are equal.</summary>
    public static bool operator ==(RenewalId left, RenewalId right) => left.Equals(right);

    /// <summary>Not equal.</summary>
    public static bool operator !=(RenewalId left, RenewalId right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(RenewalId other) => Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is RenewalId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Value;
}

internal static class SpanHex
{
    public static bool ContainsOnlyHexLower(this ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is < 'a' or > 'f')
            {
                return false;
            }
        }

        return true;
    }
}
