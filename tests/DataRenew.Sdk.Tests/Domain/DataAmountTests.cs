using System.Globalization;

namespace DataRenew.Sdk.Tests.Domain;

public sealed class DataAmountTests
{
    private static decimal D(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(DataUnit.Byte, 1L)]
    [InlineData(DataUnit.Kilobyte, 1_000L)]
    [InlineData(DataUnit.Megabyte, 1_000_000L)]
    [InlineData(DataUnit.Gigabyte, 1_000_000_000L)]
    [InlineData(DataUnit.Terabyte, 1_000_000_000_000L)]
    [InlineData(DataUnit.Kibibyte, 1_024L)]
    [InlineData(DataUnit.Mebibyte, 1_048_576L)]
    [InlineData(DataUnit.Gibibyte, 1_073_741_824L)]
    [InlineData(DataUnit.Tebibyte, 1_099_511_627_776L)]
    public void BytesPer_is_decimal_for_SI_units_and_binary_for_IEC_units(DataUnit unit, long bytes)
    {
        Assert.Equal(bytes, DataAmount.BytesPer(unit));
        Assert.Equal(bytes, DataAmount.From(1m, unit).Bytes);
        Assert.Equal(1m, DataAmount.FromBytes(bytes).In(unit));
    }

    [Theory]
    [InlineData("5", DataUnit.Gigabyte, 5_000_000_000L)]
    [InlineData("5", DataUnit.Gibibyte, 5_368_709_120L)]
    [InlineData("1.5", DataUnit.Gibibyte, 1_610_612_736L)]
    [InlineData("1.5", DataUnit.Gigabyte, 1_500_000_000L)]
    [InlineData("500", DataUnit.Megabyte, 500_000_000L)]
    [InlineData("500", DataUnit.Mebibyte, 524_288_000L)]
    [InlineData("2", DataUnit.Terabyte, 2_000_000_000_000L)]
    [InlineData("2", DataUnit.Tebibyte, 2_199_023_255_552L)]
    [InlineData("1024", DataUnit.Kibibyte, 1_048_576L)]
    [InlineData("0.001", DataUnit.Kilobyte, 1L)]
    [InlineData("0", DataUnit.Gigabyte, 0L)]
    public void From_converts_to_bytes(string value, DataUnit unit, long bytes)
    {
        var amount = DataAmount.From(D(value), unit);

        Assert.Equal(bytes, amount.Bytes);
        Assert.False(amount.IsUnlimited);
    }

    [Fact]
    public void Named_factories_use_the_unit_in_their_name()
    {
        Assert.Equal(2_000L, DataAmount.FromKilobytes(2m).Bytes);
        Assert.Equal(2_000_000L, DataAmount.FromMegabytes(2m).Bytes);
        Assert.Equal(2_000_000_000L, DataAmount.FromGigabytes(2m).Bytes);
        Assert.Equal(2_097_152L, DataAmount.FromMebibytes(2m).Bytes);
        Assert.Equal(2_147_483_648L, DataAmount.FromGibibytes(2m).Bytes);
    }

    [Theory]
    [InlineData("0.4", DataUnit.Byte, 0L)]
    [InlineData("0.5", DataUnit.Byte, 1L)]
    [InlineData("1.5", DataUnit.Byte, 2L)]
    [InlineData("2.5", DataUnit.Byte, 3L)]
    [InlineData("0.0005", DataUnit.Kilobyte, 1L)]
    [InlineData("0.0004", DataUnit.Kilobyte, 0L)]
    [InlineData("1.0000000015", DataUnit.Gigabyte, 1_000_000_002L)]
    [InlineData("0.1", DataUnit.Kibibyte, 102L)]
    [InlineData("0.3", DataUnit.Gibibyte, 322_122_547L)]
    public void Fractions_round_to_the_nearest_whole_byte_half_away_from_zero(string value, DataUnit unit, long bytes)
    {
        Assert.Equal(bytes, DataAmount.From(D(value), unit).Bytes);
    }

    [Theory]
    [InlineData(1_610_612_736L, DataUnit.Gibibyte, "1.5")]
    [InlineData(1_610_612_736L, DataUnit.Mebibyte, "1536")]
    [InlineData(1_000_000_000L, DataUnit.Gibibyte, "0.931322574615478515625")]
    [InlineData(1_073_741_824L, DataUnit.Gigabyte, "1.073741824")]
    [InlineData(5_000_000_000L, DataUnit.Megabyte, "5000")]
    [InlineData(1_099_511_627_776L, DataUnit.Terabyte, "1.099511627776")]
    [InlineData(1_500L, DataUnit.Kilobyte, "1.5")]
    [InlineData(1_536L, DataUnit.Kibibyte, "1.5")]
    public void In_converts_bytes_back_to_a_unit_exactly(long bytes, DataUnit unit, string expected)
    {
        Assert.Equal(D(expected), DataAmount.FromBytes(bytes).In(unit));
    }

    [Theory]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("5 GB", 5_000_000_000L)]
    [InlineData("5 gb", 5_000_000_000L)]
    [InlineData("5 Gb", 5_000_000_000L)]
    [InlineData("  5 GB  ", 5_000_000_000L)]
    [InlineData("1.5 GiB", 1_610_612_736L)]
    [InlineData("1.5gib", 1_610_612_736L)]
    [InlineData("500 MB", 500_000_000L)]
    [InlineData("500 MiB", 524_288_000L)]
    [InlineData("1024 KiB", 1_048_576L)]
    [InlineData("2 KB", 2_000L)]
    [InlineData("1 TB", 1_000_000_000_000L)]
    [InlineData("1 TiB", 1_099_511_627_776L)]
    [InlineData("300 B", 300L)]
    [InlineData("300 bytes", 300L)]
    [InlineData("1 byte", 1L)]
    [InlineData("0.5 B", 1L)]
    [InlineData(".5 GB", 500_000_000L)]
    [InlineData("0 GB", 0L)]
    [InlineData("9223372036854775806 B", long.MaxValue - 1)]
    public void Parse_reads_a_number_and_a_unit(string text, long bytes)
    {
        var amount = DataAmount.Parse(text);

        Assert.Equal(bytes, amount.Bytes);
        Assert.False(amount.IsUnlimited);
        Assert.True(DataAmount.TryParse(text, out var parsed));
        Assert.Equal(amount, parsed);
    }

    [Theory]
    [InlineData("unlimited")]
    [InlineData("Unlimited")]
    [InlineData("UNLIMITED")]
    [InlineData("  unlimited ")]
    public void Parse_reads_unlimited(string text)
    {
        Assert.True(DataAmount.Parse(text).IsUnlimited);
        Assert.Equal(DataAmount.Unlimited, DataAmount.Parse(text));
    }

    public static TheoryData<string> Garbage => new()
    {
        string.Empty,
        " ",
        "GB",
        "5",
        "5 XB",
        "5 G",
        "5 GBs",
        "-1 GB",
        "+1 GB",
        "1e3 GB",
        "1E3GB",
        "1,000 MB",
        "1,5 GB",
        "5 5 GB",
        "five GB",
        "5 GB extra",
        "GB 5",
        "unlimited GB",
        "limitless",
        "NaN GB",
        "Infinity GB",
        "0x10 GB",
        "5 GBB",
        "9223372036854775807 B",
        "9300000000 GB",
        "8388608 TiB",
        "99999999999999999999999999999999 B",
        new string('9', 70) + " B",
        "1" + new string(' ', 70) + "GB",
        new string('0', 62) + "1 GB",
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Parse_and_TryParse_refuse_anything_else(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => DataAmount.Parse(text));
        Assert.Equal("text", ex.ParameterName);

        Assert.False(DataAmount.TryParse(text, out var amount));
        Assert.Equal(default, amount);
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(DataAmount.TryParse(null, out _));
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(999L, "999 B")]
    [InlineData(1_000L, "1 KB")]
    [InlineData(1_500L, "1.5 KB")]
    [InlineData(512_000_000L, "512 MB")]
    [InlineData(5_000_000_000L, "5 GB")]
    [InlineData(1_500_000_000L, "1.5 GB")]
    [InlineData(1_610_612_736L, "1.61 GB")]
    [InlineData(1_234_567_890L, "1.23 GB")]
    [InlineData(1_235_000_000L, "1.24 GB")]
    [InlineData(2_000_000_000_000L, "2 TB")]
    [InlineData(1_099_511_627_776L, "1.1 TB")]
    public void ToString_uses_the_largest_decimal_unit_with_up_to_two_decimals(long bytes, string expected)
    {
        Assert.Equal(expected, DataAmount.FromBytes(bytes).ToString());
    }

    [Theory]
    [InlineData(1_610_612_736L, DataUnit.Gibibyte, "1.5 GiB")]
    [InlineData(5_000_000_000L, DataUnit.Gibibyte, "4.66 GiB")]
    [InlineData(5_368_709_120L, DataUnit.Gibibyte, "5 GiB")]
    [InlineData(524_288_000L, DataUnit.Mebibyte, "500 MiB")]
    [InlineData(1_536L, DataUnit.Kibibyte, "1.5 KiB")]
    [InlineData(1_099_511_627_776L, DataUnit.Tebibyte, "1 TiB")]
    [InlineData(5_000_000_000L, DataUnit.Megabyte, "5000 MB")]
    [InlineData(2_000L, DataUnit.Kilobyte, "2 KB")]
    [InlineData(2_000_000_000_000L, DataUnit.Terabyte, "2 TB")]
    [InlineData(300L, DataUnit.Byte, "300 B")]
    public void ToString_in_a_unit_writes_that_unit(long bytes, DataUnit unit, string expected)
    {
        Assert.Equal(expected, DataAmount.FromBytes(bytes).ToString(unit));
    }

    [Theory]
    [InlineData("5 GB", null)]
    [InlineData("1.5 GB", null)]
    [InlineData("512 MB", null)]
    [InlineData("300 B", null)]
    [InlineData("Unlimited", null)]
    [InlineData("1.5 GiB", DataUnit.Gibibyte)]
    [InlineData("500 MiB", DataUnit.Mebibyte)]
    public void What_ToString_writes_parses_back(string text, DataUnit? unit)
    {
        var amount = DataAmount.Parse(text);
        var written = unit is { } u ? amount.ToString(u) : amount.ToString();

        Assert.Equal(text, written);
        Assert.Equal(amount, DataAmount.Parse(written));
    }

    [Fact]
    public void Unlimited_writes_as_Unlimited_in_any_unit()
    {
        Assert.Equal("Unlimited", DataAmount.Unlimited.ToString());
        Assert.Equal("Unlimited", DataAmount.Unlimited.ToString(DataUnit.Gibibyte));
    }

    [Fact]
    public void Adding_finite_amounts_adds_bytes()
    {
        var sum = DataAmount.FromGigabytes(10m) + DataAmount.FromMegabytes(500m);

        Assert.Equal(10_500_000_000L, sum.Bytes);
        Assert.False(sum.IsUnlimited);
    }

    [Fact]
    public void Adding_anything_to_unlimited_stays_unlimited()
    {
        Assert.True((DataAmount.Unlimited + DataAmount.FromGigabytes(5m)).IsUnlimited);
        Assert.True((DataAmount.FromGigabytes(5m) + DataAmount.Unlimited).IsUnlimited);
        Assert.True((DataAmount.Unlimited + DataAmount.Unlimited).IsUnlimited);
        Assert.True((DataAmount.Unlimited + DataAmount.Zero).IsUnlimited);
    }

    [Fact]
    public void Subtracting_from_unlimited_stays_unlimited()
    {
        Assert.True((DataAmount.Unlimited - DataAmount.FromGigabytes(5m)).IsUnlimited);
        Assert.True((DataAmount.Unlimited - DataAmount.Unlimited).IsUnlimited);
    }

    [Fact]
    public void Subtracting_finite_amounts_subtracts_bytes()
    {
        Assert.Equal(3_000_000_000L, (DataAmount.FromGigabytes(5m) - DataAmount.FromGigabytes(2m)).Bytes);
    }

    [Fact]
    public void Subtraction_stops_at_zero()
    {
        Assert.Equal(DataAmount.Zero, DataAmount.FromGigabytes(1m) - DataAmount.FromGigabytes(2m));
        Assert.Equal(DataAmount.Zero, DataAmount.FromGigabytes(1m) - DataAmount.FromGigabytes(1m));
        Assert.Equal(DataAmount.Zero, DataAmount.FromGigabytes(1m) - DataAmount.Unlimited);
        Assert.Equal(0L, (DataAmount.Zero - DataAmount.FromBytes(1)).Bytes);
    }

    [Fact]
    public void A_sum_past_the_largest_finite_amount_is_refused_rather_than_becoming_unlimited()
    {
        var largest = DataAmount.FromBytes(long.MaxValue - 1);

        var ex = Assert.Throws<DataRenewValidationException>(() => largest + DataAmount.FromBytes(1));
        Assert.Equal("right", ex.ParameterName);
        Assert.Throws<DataRenewValidationException>(() => DataAmount.FromBytes(long.MaxValue / 2 + 1) + DataAmount.FromBytes(long.MaxValue / 2 + 1));
        Assert.Equal(long.MaxValue - 1, (DataAmount.FromBytes(long.MaxValue - 2) + DataAmount.FromBytes(1)).Bytes);
    }

    [Theory]
    [InlineData("9223372036.854775807", DataUnit.Gigabyte)]
    [InlineData("9300000000", DataUnit.Gigabyte)]
    [InlineData("9223372.036854775807", DataUnit.Terabyte)]
    [InlineData("8388608", DataUnit.Tebibyte)]
    [InlineData("8589934592", DataUnit.Gibibyte)]
    [InlineData("9223372036854775807", DataUnit.Byte)]
    [InlineData("79228162514264337593543950335", DataUnit.Byte)]
    [InlineData("79228162514264337593543950335", DataUnit.Tebibyte)]
    public void From_refuses_amounts_too_large_to_count_in_bytes(string value, DataUnit unit)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => DataAmount.From(D(value), unit));

        Assert.Equal("value", ex.ParameterName);
    }

    [Theory]
    [InlineData("9223372036.854775806", DataUnit.Gigabyte, long.MaxValue - 1)]
    [InlineData("8388607", DataUnit.Tebibyte, 8_388_607L * 1_099_511_627_776L)]
    [InlineData("8388607.999999999998", DataUnit.Tebibyte, long.MaxValue - 1)]
    [InlineData("8589934591.999999998", DataUnit.Gibibyte, long.MaxValue - 1)]
    public void The_largest_finite_amounts_are_finite_not_unlimited(string value, DataUnit unit, long bytes)
    {
        var amount = DataAmount.From(D(value), unit);

        Assert.Equal(bytes, amount.Bytes);
        Assert.False(amount.IsUnlimited);
    }

    [Theory]
    [InlineData("-1", DataUnit.Gigabyte)]
    [InlineData("-0.000000001", DataUnit.Byte)]
    [InlineData("-5", DataUnit.Gibibyte)]
    public void From_refuses_negative_amounts(string value, DataUnit unit)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => DataAmount.From(D(value), unit));

        Assert.Equal("value", ex.ParameterName);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void FromBytes_refuses_negative_amounts_and_the_unlimited_marker(long bytes)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => DataAmount.FromBytes(bytes));

        Assert.Equal("bytes", ex.ParameterName);
    }

    [Fact]
    public void An_undefined_unit_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => DataAmount.From(1m, (DataUnit)99));

        Assert.Equal("unit", ex.ParameterName);
    }

    [Fact]
    public void Unlimited_is_larger_than_any_finite_amount()
    {
        var largest = DataAmount.FromBytes(long.MaxValue - 1);

        Assert.True(DataAmount.Unlimited > largest);
        Assert.True(largest < DataAmount.Unlimited);
        Assert.True(DataAmount.Unlimited >= DataAmount.Unlimited);
        Assert.Equal(1, DataAmount.Unlimited.CompareTo(largest));
    }

    [Fact]
    public void Amounts_are_equal_when_their_bytes_are_equal_whatever_the_unit_they_came_from()
    {
        Assert.Equal(DataAmount.From(1024m, DataUnit.Kibibyte), DataAmount.From(1m, DataUnit.Mebibyte));
        Assert.True(DataAmount.From(1000m, DataUnit.Megabyte) == DataAmount.FromGigabytes(1m));
        Assert.True(DataAmount.FromGigabytes(1m) != DataAmount.FromGibibytes(1m));
        Assert.True(DataAmount.FromGigabytes(1m) < DataAmount.FromGibibytes(1m));
        Assert.Equal(DataAmount.FromGigabytes(1m).GetHashCode(), DataAmount.FromMegabytes(1000m).GetHashCode());
        Assert.Equal(DataAmount.Zero, default);
    }
}
