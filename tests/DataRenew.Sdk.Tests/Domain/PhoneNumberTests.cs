namespace DataRenew.Sdk.Tests.Domain;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("(202) 555-0143")]
    [InlineData("202-555-0143")]
    [InlineData("202.555.0143")]
    [InlineData("202 555 0143")]
    [InlineData("2025550143")]
    [InlineData("1 202 555 0143")]
    [InlineData("1-202-555-0143")]
    [InlineData("12025550143")]
    [InlineData("+1 202 555 0143")]
    [InlineData("+1 (202) 555-0143")]
    [InlineData("+1-202-555-0143")]
    [InlineData("+12025550143")]
    [InlineData("  (202) 555-0143  ")]
    public void US_numbers_written_the_usual_ways_normalise_to_E164(string text)
    {
        var number = PhoneNumber.Parse(text);

        Assert.Equal("+12025550143", number.E164);
        Assert.True(number.IsNanp);
        Assert.True(PhoneNumber.TryParse(text, out var parsed));
        Assert.Equal(number, parsed);
    }

    [Theory]
    [InlineData("(212) 555-0199", "+12125550199")]
    [InlineData("929 200 1234", "+19292001234")]
    [InlineData("+1 415 200 3000", "+14152003000")]
    public void Other_valid_US_numbers_keep_their_digits(string text, string e164)
    {
        Assert.Equal(e164, PhoneNumber.Parse(text).E164);
    }

    [Theory]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("+442079460958", "+442079460958")]
    [InlineData("+49 30 901820", "+4930901820")]
    [InlineData("+86 138 0013 8000", "+8613800138000")]
    [InlineData("+61 (2) 9374-4000", "+61293744000")]
    public void International_numbers_with_a_plus_are_accepted(string text, string e164)
    {
        var number = PhoneNumber.Parse(text);

        Assert.Equal(e164, number.E164);
        Assert.False(number.IsNanp);
    }

    [Theory]
    [InlineData("(002) 555-0143")] // area code starts with 0
    [InlineData("(102) 555-0143")] // area code starts with 1
    [InlineData("+1 102 555 0143")]
    [InlineData("1 002 555 0143")]
    [InlineData("(202) 055-0143")] // exchange starts with 0
    [InlineData("(202) 155-0143")] // exchange starts with 1
    [InlineData("(911) 555-0143")] // N11 service code, not an area code
    [InlineData("(411) 555-0143")]
    [InlineData("(211) 555-0143")]
    [InlineData("+1 911 555 0143")]
    [InlineData("202-555-014")] // 9 digits
    [InlineData("202555014")]
    [InlineData("202-555-01433")] // 11 digits not starting with 1
    [InlineData("2202-555-0143")]
    [InlineData("12-202-555-0143")] // 12 digits
    [InlineData("120255501434")]
    [InlineData("+1 202 555 01434")]
    [InlineData("+1 202 555 014")]
    [InlineData("202-555-O143")] // letter O for zero
    [InlineData("202-CALL-NOW")]
    [InlineData("1-800-FLOWERS")]
    [InlineData("(202) 555-0143 ext 12")]
    [InlineData("+0 202 555 0143")]
    [InlineData("+044 20 7946 0958")]
    [InlineData("++1 202 555 0143")]
    [InlineData("+1 +202 555 0143")]
    [InlineData("+44 20 7946 0958+")]
    [InlineData("202+555+0143")]
    [InlineData("202/555/0143")]
    [InlineData("202_555_0143")]
    [InlineData("+44 1234")] // international, too short
    [InlineData("+44 1234 5678 9012 3456")] // international, more than 15 digits
    [InlineData("+")]
    [InlineData("()")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("２０２５５５０１４３")] // full-width digits
    public void Invalid_numbers_are_refused(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => PhoneNumber.Parse(text));

        Assert.Equal("text", ex.ParameterName);
        Assert.False(PhoneNumber.TryParse(text, out var number));
        Assert.Equal(default, number);
    }

    [Fact]
    public void Null_and_very_long_text_are_refused()
    {
        Assert.False(PhoneNumber.TryParse(null, out _));
        Assert.False(PhoneNumber.TryParse("+1 202 555 0143" + new string(' ', 40), out _));
    }

    [Fact]
    public void A_refusal_does_not_quote_the_number()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => PhoneNumber.Parse("(911) 555-0143"));

        Assert.DoesNotContain("555", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0143", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(202) 555-0143", "+1******0143")]
    [InlineData("+44 20 7946 0958", "+4*******0958")]
    public void ToString_is_masked_to_the_country_code_digit_and_the_last_four(string text, string masked)
    {
        var number = PhoneNumber.Parse(text);

        Assert.Equal(masked, number.ToString());
        Assert.Equal(masked, number.ToMaskedString());
        Assert.Equal(masked, $"{number}");
        Assert.DoesNotContain(number.E164, number.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(number.E164[1..], number.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_never_contains_the_area_code_and_exchange()
    {
        var text = PhoneNumber.Parse("(202) 555-0143").ToString();

        Assert.DoesNotContain("202", text, StringComparison.Ordinal);
        Assert.DoesNotContain("555", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_holding_a_number_prints_it_masked()
    {
        var challenge = new OneTimeCodeChallenge(CarrierId.Fake, PhoneNumber.Parse("202-555-0143"), "ch_1", null);

        Assert.Contains("+1******0143", challenge.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("2025550143", challenge.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Numbers_are_equal_when_their_E164_forms_are_equal()
    {
        var a = PhoneNumber.Parse("(202) 555-0143");
        var b = PhoneNumber.Parse("+1 202 555 0143");
        var c = PhoneNumber.Parse("(202) 555-0144");

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.False(a.Equals(c));
    }

    [Fact]
    public void The_default_number_is_empty()
    {
        PhoneNumber number = default;

        Assert.Equal(string.Empty, number.E164);
        Assert.Equal(string.Empty, number.ToString());
        Assert.False(number.IsNanp);
    }
}
