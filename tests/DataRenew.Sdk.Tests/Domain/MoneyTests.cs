using System.Globalization;

namespace DataRenew.Sdk.Tests.Domain;

public sealed class MoneyTests
{
    private static decimal D(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);

    [Fact]
    public void Adding_amounts_of_one_currency_adds_the_amounts()
    {
        var sum = Money.Usd(10.10m) + Money.Usd(0.20m);

        Assert.Equal(10.30m, sum.Amount);
        Assert.Equal("USD", sum.Currency);
    }

    [Fact]
    public void Subtracting_can_go_below_zero()
    {
        var difference = new Money(10m, "EUR") - new Money(12.5m, "EUR");

        Assert.Equal(-2.5m, difference.Amount);
        Assert.Equal("EUR", difference.Currency);
    }

    [Fact]
    public void Multiplying_keeps_the_currency_and_does_not_round()
    {
        var product = Money.Usd(10.10m) * 1.5m;

        Assert.Equal(15.150m, product.Amount);
        Assert.Equal("USD", product.Currency);
    }

    [Fact]
    public void Comparisons_order_amounts_of_one_currency()
    {
        var small = Money.Usd(9.99m);
        var large = Money.Usd(10m);

        Assert.True(small < large);
        Assert.False(small > large);
        Assert.True(large > small);
        Assert.True(small <= large);
        Assert.True(large >= small);
        Assert.True(small <= Money.Usd(9.990m));
        Assert.True(small >= Money.Usd(9.990m));
        Assert.Equal(-1, small.CompareTo(large));
        Assert.Equal(0, small.CompareTo(Money.Usd(9.99m)));
    }

    [Theory]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("<")]
    [InlineData(">")]
    [InlineData("<=")]
    [InlineData(">=")]
    [InlineData("CompareTo")]
    public void Combining_or_comparing_two_currencies_is_refused_naming_both(string operation)
    {
        var usd = Money.Usd(1m);
        var eur = new Money(1m, "EUR");
        Func<object> apply = operation switch
        {
            "+" => () => usd + eur,
            "-" => () => usd - eur,
            "<" => () => usd < eur,
            ">" => () => usd > eur,
            "<=" => () => usd <= eur,
            ">=" => () => usd >= eur,
            _ => () => usd.CompareTo(eur),
        };

        var ex = Assert.Throws<DataRenewValidationException>(apply);

        Assert.Equal("currency", ex.ParameterName);
        Assert.Contains("USD", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EUR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equality_across_currencies_is_false_rather_than_an_error()
    {
        Assert.False(Money.Usd(1m) == new Money(1m, "EUR"));
        Assert.True(Money.Usd(1m) != new Money(1m, "EUR"));
        Assert.False(Money.Usd(1m).Equals(new Money(1m, "EUR")));
    }

    [Theory]
    [InlineData("USD", "0.125", "0.13")]
    [InlineData("USD", "0.135", "0.14")]
    [InlineData("USD", "0.145", "0.15")]
    [InlineData("USD", "0.124", "0.12")]
    [InlineData("USD", "-0.125", "-0.13")]
    [InlineData("USD", "2.5", "2.50")]
    [InlineData("JPY", "1234.5", "1235")]
    [InlineData("JPY", "0.5", "1")]
    [InlineData("JPY", "1234.4", "1234")]
    [InlineData("KWD", "1.2345", "1.235")]
    [InlineData("EUR", "19.995", "20.00")]
    public void RoundToMinorUnit_rounds_half_away_from_zero_to_the_currency_minor_unit(string currency, string amount, string expected)
    {
        var rounded = new Money(D(amount), currency).RoundToMinorUnit();

        Assert.Equal(D(expected), rounded.Amount);
        Assert.Equal(currency, rounded.Currency);
    }

    [Theory]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KRW", 0)]
    [InlineData("KWD", 3)]
    [InlineData("BHD", 3)]
    public void MinorUnitDigits_follow_ISO_4217(string currency, int digits)
    {
        Assert.Equal(digits, new Money(1m, currency).MinorUnitDigits);
    }

    [Theory]
    [InlineData("40", "25", "30.00")]
    [InlineData("9.99", "33", "6.69")]
    [InlineData("0.99", "12.5", "0.87")]
    [InlineData("10", "0", "10.00")]
    [InlineData("10", "100", "0.00")]
    [InlineData("19.99", "15", "16.99")]
    public void LessPercent_takes_the_percentage_off_and_rounds_to_cents(string price, string percent, string expected)
    {
        var result = Money.Usd(D(price)).LessPercent(D(percent));

        Assert.Equal(D(expected), result.Amount);
        Assert.Equal("USD", result.Currency);
    }

    [Fact]
    public void LessPercent_on_yen_rounds_to_whole_yen()
    {
        Assert.Equal(667m, new Money(1000m, "JPY").LessPercent(33.3m).Amount);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("-0.01")]
    [InlineData("100.01")]
    [InlineData("1000")]
    public void LessPercent_outside_0_to_100_is_refused(string percent)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Money.Usd(10m).LessPercent(D(percent)));

        Assert.Equal("percent", ex.ParameterName);
    }

    [Theory]
    [InlineData("30.00 USD", "30.00", "USD")]
    [InlineData("USD 30.00", "30.00", "USD")]
    [InlineData("$30.00", "30.00", "USD")]
    [InlineData("$ 30", "30", "USD")]
    [InlineData("  12.5 eur  ", "12.5", "EUR")]
    [InlineData("jpy 1500", "1500", "JPY")]
    [InlineData("0.99 GBP", "0.99", "GBP")]
    [InlineData("-5.00 USD", "-5.00", "USD")]
    public void Parse_reads_the_amount_and_the_currency(string text, string amount, string currency)
    {
        var money = Money.Parse(text);

        Assert.Equal(D(amount), money.Amount);
        Assert.Equal(currency, money.Currency);
        Assert.True(Money.TryParse(text, out var parsed));
        Assert.Equal(money, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("30.00")]
    [InlineData("USD")]
    [InlineData("$")]
    [InlineData("30.00 US")]
    [InlineData("30.00 USDX")]
    [InlineData("30.00 U1D")]
    [InlineData("USD30.00")]
    [InlineData("30.00USD")]
    [InlineData("1e3 USD")]
    [InlineData("thirty USD")]
    [InlineData("30,00 EUR")] // a decimal comma must not be read as a thousands separator (3000)
    [InlineData("EUR 1.234,50")]
    [InlineData("$30.00 USD")]
    [InlineData("30.00 USD extra")]
    [InlineData("$123456789012345678901234567890123")]
    public void Parse_refuses_text_that_is_not_an_amount_with_a_currency(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Money.Parse(text));

        Assert.Equal("text", ex.ParameterName);
        Assert.False(Money.TryParse(text, out var money));
        Assert.Equal(default, money);
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(Money.TryParse(null, out _));
    }

    [Theory]
    [InlineData("30", "USD", "$30.00")]
    [InlineData("30.0", "USD", "$30.00")]
    [InlineData("30.000", "USD", "$30.00")]
    [InlineData("0", "USD", "$0.00")]
    [InlineData("1234.5", "USD", "$1,234.50")]
    [InlineData("1234567.891", "USD", "$1,234,567.891")]
    [InlineData("0.125", "USD", "$0.125")]
    [InlineData("-5", "USD", "-$5.00")]
    [InlineData("-1234.5", "USD", "-$1,234.50")]
    [InlineData("30", "EUR", "30.00 EUR")]
    [InlineData("-5", "EUR", "-5.00 EUR")]
    [InlineData("1234", "JPY", "1,234 JPY")]
    [InlineData("1.5", "KWD", "1.500 KWD")]
    public void ToString_writes_dollars_with_a_sign_and_other_currencies_with_the_code(string amount, string currency, string expected)
    {
        Assert.Equal(expected, new Money(D(amount), currency).ToString());
    }

    [Fact]
    public void ToString_does_not_depend_on_the_current_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal("$1,234.50", Money.Usd(1234.5m).ToString());
            Assert.Equal("1,234.50 EUR", new Money(1234.5m, "EUR").ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Amounts_differing_only_in_trailing_zeros_are_equal_with_equal_hash_codes()
    {
        var a = Money.Usd(30.0m);
        var b = Money.Usd(30.00m);

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals(b));
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Fact]
    public void Currency_codes_are_stored_upper_case_and_compare_equal()
    {
        var lower = new Money(30m, "usd");

        Assert.Equal("USD", lower.Currency);
        Assert.Equal(Money.Usd(30m), lower);
    }

    [Fact]
    public void Different_amounts_or_currencies_are_not_equal()
    {
        Assert.NotEqual(Money.Usd(30m), Money.Usd(30.01m));
        Assert.NotEqual(Money.Usd(30m), new Money(30m, "CAD"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("US")]
    [InlineData("USDD")]
    [InlineData("U5D")]
    [InlineData("US ")]
    [InlineData(" USD")]
    [InlineData("ÜSD")]
    [InlineData("$$$")]
    public void Invalid_currency_codes_are_refused(string currency)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new Money(1m, currency));

        Assert.Equal("currency", ex.ParameterName);
    }

    [Fact]
    public void A_null_currency_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new Money(1m, null!));

        Assert.Equal("currency", ex.ParameterName);
    }

    [Fact]
    public void Zero_is_zero_in_the_currency()
    {
        var zero = Money.Zero("eur");

        Assert.Equal(0m, zero.Amount);
        Assert.Equal("EUR", zero.Currency);
    }
}
