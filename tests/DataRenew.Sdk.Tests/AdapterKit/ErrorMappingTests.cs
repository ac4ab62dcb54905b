using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData("Card 4242424242424242 declined", "Card **************** declined")]
    [InlineData("Number +12025550143 unknown", "Number +*********** unknown")]
    [InlineData("Card 4242 4242 4242 4242 declined", "Card **** **** **** **** declined")]
    [InlineData("Card 4242-4242-4242-4242 declined", "Card ****-****-****-**** declined")]
    [InlineData("Line (202) 555-0143 unknown", "Line (***) ***-**** unknown")]
    [InlineData("Line +1 202.555.0143 unknown", "Line +* ***.***.**** unknown")]
    [InlineData("Renewed on 2026-11-27 for 40.00 USD", "Renewed on 2026-11-27 for 40.00 USD")]
    [InlineData("Code 123456 wrong", "Code 123456 wrong")]
    [InlineData("line\r\nbreak", "linebreak")]
    [InlineData("Card 4242/4242/4242/4242 declined", "Card ****/****/****/**** declined")]
    [InlineData("Card 4242_4242_4242_4242 declined", "Card ****_****_****_**** declined")]
    [InlineData("Card ４２４２ ４２４２ ４２４２ ４２４２ declined", "Card **** **** **** **** declined")]
    [InlineData("Card ４２４２－４２４２－４２４２－４２４２ declined", "Card ****－****－****－**** declined")]
    [InlineData("Line (202)\u00A0555\u2013 0143 unknown", "Line (***)\u00A0***\u2013 **** unknown")]
    [InlineData("Line 202\u3000555\u30000143 unknown", "Line ***\u3000***\u3000**** unknown")]
    public void Carrier_text_is_shortened_and_long_digit_runs_masked(string text, string expected)
    {
        Assert.Equal(expected, CarrierErrors.Sanitise(text));
    }

    [Fact]
    public void Carrier_text_is_cut_at_200_characters()
    {
        Assert.Equal(200, CarrierErrors.Sanitise(new string('a', 5000)).Length);
    }

    [Fact]
    public void Data_amounts_out_of_range_are_invalid_responses_not_crashes()
    {
        var carrier = new CarrierId("kit");
        Assert.Throws<InvalidCarrierResponseException>(() => DataUnits.FromKilobytes(carrier, decimal.MaxValue));
        Assert.Throws<InvalidCarrierResponseException>(() => DataUnits.FromBytes(carrier, -1));
        Assert.Throws<InvalidCarrierResponseException>(() => DataUnits.FromAmount(carrier, 1e20m, "TB"));
    }

    [Theory]
    [InlineData(5000000, 5_000_000_000L)]
    [InlineData(0.5, 500L)]
    public void Kilobytes_are_decimal(decimal kb, long bytes) => Assert.Equal(bytes, DataUnits.FromKilobytes(new CarrierId("kit"), kb).Bytes);

    [Fact]
    public void Megabytes_of_the_AT_and_T_style_are_binary() => Assert.Equal(5120L * 1_048_576, DataUnits.FromBinaryMegabytes(new CarrierId("kit"), 5120).Bytes);

    [Theory]
    [InlineData(1.5, "GB", 1_500_000_000L)]
    [InlineData(250, "mb", 250_000_000L)]
    [InlineData(1, "GiB", 1L << 30)]
    public void Amounts_with_units_are_read_in_the_unit_stated(decimal amount, string unit, long bytes) =>
        Assert.Equal(bytes, DataUnits.FromAmount(new CarrierId("kit"), amount, unit).Bytes);

    [Fact]
    public void An_unknown_unit_is_an_invalid_response() =>
        Assert.Throws<InvalidCarrierResponseException>(() => DataUnits.FromAmount(new CarrierId("kit"), 1, "parsecs"));
}

public sealed class XmlFaultTests
{
    [Theory]
    [InlineData("<am:fault xmlns:am=\"http://wso2.org/apimanager\"><am:code>900908</am:code><am:message>Resource forbidden</am:message></am:fault>", "fault", null)]
    [InlineData("<am:fault xmlns:am=\"http://wso2.org/apimanager\"><am:code>900908</am:code><am:message>Resource forbidden</am:message></am:fault>", "code", "900908")]
    [InlineData("<fault><message>A &amp; B</message></fault>", "message", "A & B")]
    [InlineData("<fault><code/><code>7</code></fault>", "missing", null)]
    public void Elements_are_found_by_local_name_whatever_their_prefix_or_attributes(string xml, string name, string? expected)
    {
        var response = ResponseWith(xml);
        var value = response.XmlElement(name);
        if (name == "fault")
        {
            Assert.NotNull(value);
        }
        else
        {
            Assert.Equal(expected, value);
        }
    }

    private static CarrierErrorResponse ResponseWith(string body)
    {
        using var message = new HttpResponseMessage(System.Net.HttpStatusCode.Forbidden);
        return new CarrierErrorResponse(new CarrierId("kit"), message.StatusCode, message.Headers, "text/xml", System.Text.Encoding.UTF8.GetBytes(body), null, null);
    }
}
