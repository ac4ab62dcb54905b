namespace DataRenew.Sdk.AdapterKit;

/// <summary>
/// Carrier amounts into <see cref="DataAmount"/>, each in the unit the carrier states: decimal kilobytes
/// (Verizon-style plans), binary megabytes (AT&amp;T-style plans), a decimal amount with a unit string
/// (T-Mobile-style), bytes (usage). A value out of range is the carrier's error, reported as
/// <see cref="InvalidCarrierResponseException"/>, never a crash.
/// </summary>
public static class DataUnits
{
    /// <summary>Decimal kilobytes (1 KB = 1,000 bytes).</summary>
    public static DataAmount FromKilobytes(CarrierId carrier, decimal kilobytes) => Convert(carrier, kilobytes, DataUnit.Kilobyte);

    /// <summary>Binary megabytes as AT&amp;T-style carriers write them (1 MB = 1,048,576 bytes).</summary>
    public static DataAmount FromBinaryMegabytes(CarrierId carrier, decimal megabytes) => Convert(carrier, megabytes, DataUnit.Mebibyte);

    /// <summary>Bytes.</summary>
    public static DataAmount FromBytes(CarrierId carrier, decimal bytes) => Convert(carrier, bytes, DataUnit.Byte);

    /// <summary>A decimal amount with a unit string: <c>B</c>, <c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c> (decimal) or <c>KiB</c>…<c>TiB</c> (binary).</summary>
    public static DataAmount FromAmount(CarrierId carrier, decimal amount, string? units)
    {
        var unit = units?.Trim().ToUpperInvariant() switch
        {
            "B" or "BYTE" or "BYTES" => DataUnit.Byte,
            "KB" => DataUnit.Kilobyte,
            "MB" => DataUnit.Megabyte,
            "GB" => DataUnit.Gigabyte,
            "TB" => DataUnit.Terabyte,
            "KIB" => DataUnit.Kibibyte,
            "MIB" => DataUnit.Mebibyte,
            "GIB" => DataUnit.Gibibyte,
            "TIB" => DataUnit.Tebibyte,
            _ => throw new InvalidCarrierResponseException($"{carrier} sent an amount in an unknown unit.", new DataRenewErrorDetails(carrier)),
        };
        return Convert(carrier, amount, unit);
    }

    private static DataAmount Convert(CarrierId carrier, decimal value, DataUnit unit)
    {
        try
        {
            return DataAmount.From(value, unit);
        }
        catch (Exception ex) when (ex is DataRenewValidationException or OverflowException or ArgumentException)
        {
            throw new InvalidCarrierResponseException($"{carrier} sent a data amount out of range.", new DataRenewErrorDetails(carrier), ex);
        }
    }
}
