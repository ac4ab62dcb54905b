namespace DataRenew.Sdk.Tests.Domain;

public sealed class IccidTests
{
    [Theory]
    [InlineData("8914800000000000014", "8914800000000000014")]
    [InlineData("8914800000000000022", "8914800000000000022")]
    [InlineData("89012600000000000128", "89012600000000000128")]
    [InlineData("8900000000000000003", "8900000000000000003")]
    [InlineData("8914 8000 0000 0000 014", "8914800000000000014")]
    [InlineData("8914-8000-0000-0000-014", "8914800000000000014")]
    [InlineData("8901 2600 0000 0000 0128", "89012600000000000128")]
    [InlineData("  8914800000000000014  ", "8914800000000000014")]
    public void Valid_ICCIDs_parse_to_their_digits(string text, string digits)
    {
        var iccid = Iccid.Parse(text);

        Assert.Equal(digits, iccid.Value);
        Assert.Equal(digits, iccid.ToString());
        Assert.True(Iccid.TryParse(text, out var parsed));
        Assert.Equal(iccid, parsed);
    }

    [Theory]
    [InlineData("8914800000000000015")] // last digit mistyped
    [InlineData("8914800000000000024")]
    [InlineData("8914800000000000114")] // a middle digit mistyped
    [InlineData("8924800000000000014")]
    [InlineData("89012600000000000129")]
    [InlineData("89012600000000000138")]
    public void A_single_mistyped_digit_is_refused(string text)
    {
        AssertRefused(text);
    }

    [Theory]
    [InlineData("8914800000000000041")] // the last two digits swapped
    [InlineData("8941800000000000014")] // 14 -> 41 near the start
    [InlineData("8918400000000000014")] // 48 -> 84
    [InlineData("8914800000000000202")] // 8914800000000000022 with 02 -> 20
    [InlineData("89012600000000000218")] // 89012600000000000128 with 12 -> 21
    [InlineData("89012600000000001028")] // 01 -> 10
    public void Transposed_digits_are_refused(string text)
    {
        AssertRefused(text);
    }

    [Theory]
    [InlineData("891480000000000001")] // 18 digits, Luhn-valid
    [InlineData("891480000000000000006")] // 21 digits, Luhn-valid
    [InlineData("8914800000000000014000")]
    [InlineData("89")]
    public void Fewer_than_19_or_more_than_20_digits_are_refused(string text)
    {
        var ex = AssertRefused(text);

        Assert.Contains("19 or 20 digits", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9914800000000000005")] // Luhn-valid, does not start with 89
    [InlineData("1014800000000000002")]
    [InlineData("98148000000000000014")]
    public void A_number_not_starting_with_89_is_refused(string text)
    {
        var ex = AssertRefused(text);

        Assert.Contains("89", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("8914800000000000O14")] // letter O
    [InlineData("8914.8000.0000.0000.014")]
    [InlineData("8914_8000_0000_0000_014")]
    [InlineData("8914/8000/0000/0000/014")]
    [InlineData("+8914800000000000014")]
    [InlineData("８９１４８０００００００００００１４")] // full-width digits
    public void Anything_but_digits_spaces_and_dashes_is_refused(string text)
    {
        AssertRefused(text);
    }

    [Fact]
    public void Very_long_text_is_refused_even_when_it_holds_a_valid_ICCID()
    {
        AssertRefused(new string(' ', 30) + "8914800000000000014" + new string(' ', 30));
        AssertRefused(string.Join(' ', "8914800000000000014".ToCharArray()) + new string('-', 10));
    }

    [Fact]
    public void TryParse_of_null_is_false()
    {
        Assert.False(Iccid.TryParse(null, out var iccid));
        Assert.Equal(string.Empty, iccid.Value);
    }

    [Theory]
    [InlineData("8914800000000000014", "891480*********0014")]
    [InlineData("89012600000000000128", "890126**********0128")]
    public void ToMaskedString_shows_the_first_six_and_last_four_digits(string text, string masked)
    {
        var iccid = Iccid.Parse(text);

        Assert.Equal(masked, iccid.ToMaskedString());
        Assert.Equal(iccid.Value.Length, masked.Length);
        Assert.DoesNotContain(iccid.Value, masked, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_ICCID_is_empty_and_masks_to_empty()
    {
        Iccid iccid = default;

        Assert.Equal(string.Empty, iccid.Value);
        Assert.Equal(string.Empty, iccid.ToMaskedString());
    }

    [Fact]
    public void ICCIDs_are_equal_when_their_digits_are_equal()
    {
        var a = Iccid.Parse("8914800000000000014");
        var b = Iccid.Parse("8914 8000 0000 0000 014");
        var c = Iccid.Parse("8914800000000000022");

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.False(a.Equals((object)c));
    }

    [Theory]
    [InlineData("79927398713", true)]
    [InlineData("79927398710", false)]
    [InlineData("0", true)]
    [InlineData("18", true)]
    [InlineData("81", false)]
    [InlineData("4242424242424242", true)]
    [InlineData("4242424242424241", false)]
    [InlineData("8914800000000000014", true)]
    public void Luhn_accepts_only_numbers_whose_check_digit_matches(string digits, bool valid)
    {
        Assert.Equal(valid, Luhn.IsValid(digits));
    }

    private static DataRenewValidationException AssertRefused(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Iccid.Parse(text));
        Assert.Equal("text", ex.ParameterName);
        Assert.False(Iccid.TryParse(text, out var iccid));
        Assert.Equal(default, iccid);
        return ex;
    }
}
