using System.Globalization;

namespace DataRenew.Sdk;

/// <summary>The units a <see cref="DataAmount"/> is written in.</summary>
public enum DataUnit
{
    /// <summary>Bytes.</summary>
    Byte,

    /// <summary>Kilobytes, decimal: 1 KB = 1,000 bytes.</summary>
    Kilobyte,

    /// <summary>Megabytes, decimal: 1 MB = 1,000,000 bytes.</summary>
    Megabyte,

    /// <summary>Gigabytes, decimal: 1 GB = 10⁹ bytes (what carriers advertise).</summary>
    Gigabyte,

    /// <summary>Terabytes, decimal: 1 TB = 10¹² bytes.</summary>
    Terabyte,

    /// <summary>Kibibytes, binary: 1 KiB = 1,024 bytes.</summary>
    Kibibyte,

    /// <summary>Mebibytes, binary: 1 MiB = 1,048,576 bytes.</summary>
    Mebibyte,

    /// <summary>Gibibytes, binary: 1 GiB = 2³⁰ bytes.</summary>
    Gibibyte,

    /// <summary>Tebibytes, binary: 1 TiB = 2⁴⁰ bytes.</summary>
    Tebibyte,
}

/// <summary>
/// An amount of mobile data: a whole number of bytes, or unlimited. Units are stated, never guessed:
/// <c>GB</c> is decimal (10⁹ bytes, as carriers advertise), <c>GiB</c> is binary (2³⁰ bytes).
/// Amounts are never negative: subtraction stops at zero; anything involving unlimited stays unlimited.
/// </summary>
public readonly struct DataAmount : IEquatable<DataAmount>, IComparable<DataAmount>
{
    private const long UnlimitedMarker = long.MaxValue;
    private readonly long _bytes;

    private DataAmount(long bytes) => _bytes = bytes;

    /// <summary>Unlimited data.</summary>
    public static DataAmount Unlimited { get; } = new(UnlimitedMarker);

    /// <summary>No data.</summary>
    public static DataAmount Zero { get; }

    /// <summary><see langword="true"/> for unlimited data.</summary>
    public bool IsUnlimited => _bytes == UnlimitedMarker;

    /// <summary>The number of bytes; <see cref="long.MaxValue"/> when unlimited, so comparisons still hold.</summary>
    public long Bytes => _bytes;

    /// <summary>An amount of bytes.</summary>
    /// <exception cref="DataRenewValidationException">The amount is negative.</exception>
    public static DataAmount FromBytes(long bytes) => bytes switch
    {
        < 0 => throw new DataRenewValidationException(nameof(bytes), "A data amount cannot be negative."),
        UnlimitedMarker => throw new DataRenewValidationException(nameof(bytes), "That many bytes is out of range; use DataAmount.Unlimited for unlimited data."),
        _ => new DataAmount(bytes),
    };

    /// <summary>An amount in a unit; fractions are rounded to the nearest byte.</summary>
    /// <exception cref="DataRenewValidationException">The amount is negative or too large.</exception>
    public static DataAmount From(decimal value, DataUnit unit)
    {
        if (value < 0)
        {
            throw new DataRenewValidationException(nameof(value), "A data amount cannot be negative.");
        }

        var factor = BytesPer(unit);
        if (value > (UnlimitedMarker - 1) / (decimal)factor)
        {
            throw new DataRenewValidationException(nameof(value), "The data amount is too large.");
        }

        return new DataAmount((long)Math.Round(value * factor, MidpointRounding.AwayFromZero));
    }

    /// <summary>Decimal kilobytes (1 KB = 1,000 bytes).</summary>
    public static DataAmount FromKilobytes(decimal kilobytes) => From(kilobytes, DataUnit.Kilobyte);

    /// <summary>Decimal megabytes (1 MB = 10⁶ bytes).</summary>
    public static DataAmount FromMegabytes(decimal megabytes) => From(megabytes, DataUnit.Megabyte);

    /// <summary>Decimal gigabytes (1 GB = 10⁹ bytes).</summary>
    public static DataAmount FromGigabytes(decimal gigabytes) => From(gigabytes, DataUnit.Gigabyte);

    /// <summary>Binary mebibytes (1 MiB = 1,048,576 bytes), which some carriers call "MB".</summary>
    public static DataAmount FromMebibytes(decimal mebibytes) => From(mebibytes, DataUnit.Mebibyte);

    /// <summary>Binary gibibytes (1 GiB = 2³⁰ bytes).</summary>
    public static DataAmount FromGibibytes(decimal gibibytes) => From(gibibytes, DataUnit.Gibibyte);

    /// <summary>How many bytes one of a unit holds.</summary>
    public static long BytesPer(DataUnit unit) => unit switch
    {
        DataUnit.Byte => 1L,
        DataUnit.Kilobyte => 1_000L,
        DataUnit.Megabyte => 1_000_000L,
        DataUnit.Gigabyte => 1_000_000_000L,
        DataUnit.Terabyte => 1_000_000_000_000L,
        DataUnit.Kibibyte => 1L << 10,
        DataUnit.Mebibyte => 1L << 20,
        DataUnit.Gibibyte => 1L << 30,
        DataUnit.Tebibyte => 1L << 40,
        _ => throw new DataRenewValidationException(nameof(unit), $"'{unit}' is not a data unit."),
    };

    /// <summary>
    /// Parses <c>5 GB</c>, <c>5GB</c>, <c>1.5 GiB</c>, <c>500 MB</c>, <c>1024 KiB</c>, <c>300 B</c>,
    /// <c>unlimited</c>. Units are case-insensitive; <c>GB</c> is decimal and <c>GiB</c> binary.
    /// </summary>
    /// <exception cref="DataRenewValidationException">The text is not a data amount.</exception>
    public static DataAmount Parse(string text)
    {
        if (TryParse(text, out var amount))
        {
            return amount;
        }

        throw new DataRenewValidationException(nameof(text), "A data amount is a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), such as '5 GB', or 'unlimited'.");
    }

    /// <summary>Tries to parse a data amount; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out DataAmount amount)
    {
        amount = default;
        var s = text.AsSpan().Trim();
        if (s.Length is 0 or > 64)
        {
            return false;
        }

        if (s.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            amount = Unlimited;
            return true;
        }

        var split = s.Length;
        while (split > 0 && char.IsAsciiLetter(s[split - 1]))
        {
            split--;
        }

        var unit = ParseUnit(s[split..]);
        var number = s[..split].TrimEnd();
        if (unit is null || number.Length == 0
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || value > (UnlimitedMarker - 1) / (decimal)BytesPer(unit.Value))
        {
            return false;
        }

        amount = new DataAmount((long)Math.Round(value * BytesPer(unit.Value), MidpointRounding.AwayFromZero));
        return true;
    }

    // Compared on the span: parsing a size allocates nothing.
    private static DataUnit? ParseUnit(ReadOnlySpan<char> unit)
    {
        foreach (var (symbol, value) in UnitSymbols)
        {
            if (unit.Equals(symbol, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    private static readonly (string Symbol, DataUnit Unit)[] UnitSymbols =
    [
        ("B", DataUnit.Byte), ("BYTE", DataUnit.Byte), ("BYTES", DataUnit.Byte),
        ("KB", DataUnit.Kilobyte), ("MB", DataUnit.Megabyte), ("GB", DataUnit.Gigabyte), ("TB", DataUnit.Terabyte),
        ("KIB", DataUnit.Kibibyte), ("MIB", DataUnit.Mebibyte), ("GIB", DataUnit.Gibibyte), ("TIB", DataUnit.Tebibyte),
    ];

    /// <summary>The amount in a unit, as a decimal (not meaningful when unlimited).</summary>
    public decimal In(DataUnit unit) => (decimal)_bytes / BytesPer(unit);

    /// <summary>The sum; unlimited stays unlimited.</summary>
    /// <exception cref="DataRenewValidationException">The sum is out of range.</exception>
    public static DataAmount operator +(DataAmount left, DataAmount right)
    {
        if (left.IsUnlimited || right.IsUnlimited)
        {
            return Unlimited;
        }

        return left._bytes > UnlimitedMarker - 1 - right._bytes
            ? throw new DataRenewValidationException(nameof(right), "The data amount is too large.")
            : new DataAmount(left._bytes + right._bytes);
    }

    /// <summary>The difference, never below zero; unlimited less anything stays unlimited.</summary>
    public static DataAmount operator -(DataAmount left, DataAmount right)
    {
        if (left.IsUnlimited)
        {
            return Unlimited;
        }

        return right._bytes >= left._bytes ? Zero : new DataAmount(left._bytes - right._bytes);
    }

    /// <summary>Compares two amounts; unlimited is larger than any finite amount.</summary>
    public static bool operator <(DataAmount left, DataAmount right) => left._bytes < right._bytes;

    /// <summary>Compares two amounts; unlimited is larger than any finite amount.</summary>
    public static bool operator >(DataAmount left, DataAmount right) => left._bytes > right._bytes;

    /// <summary>Compares two amounts.</summary>
    public static bool operator <=(DataAmount left, DataAmount right) => left._bytes <= right._bytes;

    /// <summary>Compares two amounts.</summary>
    public static bool operator >=(DataAmount left, DataAmount right) => left._bytes >= right._bytes;

    /// <summary>Equal when the byte counts are equal (or both unlimited).</summary>
    public static bool operator ==(DataAmount left, DataAmount right) => left._bytes == right._bytes;

    /// <summary>Not equal.</summary>
    public static bool operator !=(DataAmount left, DataAmount right) => left._bytes != right._bytes;

    /// <inheritdoc />
    public int CompareTo(DataAmount other) => _bytes.CompareTo(other._bytes);

    /// <inheritdoc />
    public bool Equals(DataAmount other) => _bytes == other._bytes;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataAmount other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _bytes.GetHashCode();

    /// <summary>The largest decimal unit that keeps the number at least 1, with up to two decimals: <c>5 GB</c>, <c>1.5 GB</c>, <c>512 MB</c>, <c>Unlimited</c>.</summary>
    public override string ToString()
    {
        if (IsUnlimited)
        {
            return "Unlimited";
        }

        var unit = _bytes switch
        {
            >= 1_000_000_000_000L => DataUnit.Terabyte,
            >= 1_000_000_000L => DataUnit.Gigabyte,
            >= 1_000_000L => DataUnit.Megabyte,
            >= 1_000L => DataUnit.Kilobyte,
            _ => DataUnit.Byte,
        };

        // Rounding can carry into the next unit: 999,999,999 bytes reads "1 GB", not "1000 MB".
        if (unit is not (DataUnit.Byte or DataUnit.Terabyte) && Math.Round(In(unit), 2, MidpointRounding.AwayFromZero) >= 1000m)
        {
            unit++;
        }

        return ToString(unit);
    }

    /// <summary>The amount in a given unit with up to two decimals, such as <c>4.66 GiB</c>.</summary>
    public string ToString(DataUnit unit)
    {
        if (IsUnlimited)
        {
            return "Unlimited";
        }

        var symbol = unit switch
        {
            DataUnit.Byte => "B",
            DataUnit.Kilobyte => "KB",
            DataUnit.Megabyte => "MB",
            DataUnit.Gigabyte => "GB",
            DataUnit.Terabyte => "TB",
            DataUnit.Kibibyte => "KiB",
            DataUnit.Mebibyte => "MiB",
            DataUnit.Gibibyte => "GiB",
            _ => "TiB",
        };
        var value = Math.Round(In(unit), 2, MidpointRounding.AwayFromZero);
        return $"{value.ToString("0.##", CultureInfo.InvariantCulture)} {symbol}";
    }
}
