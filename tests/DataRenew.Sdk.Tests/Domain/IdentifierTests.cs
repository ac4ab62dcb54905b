namespace DataRenew.Sdk.Tests.Domain;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("verizon", "verizon")]
    [InlineData("Verizon", "verizon")]
    [InlineData("T-Mobile", "t-mobile")]
    [InlineData("my-mvno-2", "my-mvno-2")]
    [InlineData("a", "a")]
    [InlineData("ABCDEFGHIJabcdefghij0123456789----------", "abcdefghijabcdefghij0123456789----------")]
    public void A_carrier_id_is_stored_lower_case(string text, string value)
    {
        var id = new CarrierId(text);

        Assert.Equal(value, id.Value);
        Assert.Equal(value, id.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("ver izon")]
    [InlineData("ver_izon")]
    [InlineData("verizon.com")]
    [InlineData("at&t")]
    [InlineData("vérizon")]
    [InlineData(" verizon")]
    [InlineData("verizon\n")]
    [InlineData("ABCDEFGHIJabcdefghij0123456789-----------")] // 41 characters
    public void Invalid_carrier_ids_are_refused(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new CarrierId(text));

        Assert.Equal("value", ex.ParameterName);
    }

    [Fact]
    public void A_null_carrier_id_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new CarrierId(null!));

        Assert.Equal("value", ex.ParameterName);
    }

    [Fact]
    public void Carrier_ids_compare_case_insensitively_through_lower_casing()
    {
        Assert.True(new CarrierId("VERIZON") == CarrierId.Verizon);
        Assert.Equal(CarrierId.Verizon.GetHashCode(), new CarrierId("Verizon").GetHashCode());
        Assert.True(CarrierId.Att != CarrierId.TMobile);
        Assert.False(CarrierId.Att.Equals((object)"att"));
    }

    [Fact]
    public void The_well_known_carrier_ids_have_their_names()
    {
        Assert.Equal("verizon", CarrierId.Verizon.Value);
        Assert.Equal("att", CarrierId.Att.Value);
        Assert.Equal("tmobile", CarrierId.TMobile.Value);
        Assert.Equal("fake", CarrierId.Fake.Value);
        Assert.Equal(string.Empty, default(CarrierId).Value);
    }

    [Theory]
    [InlineData("M2M10GB")]
    [InlineData("ATT 10GB")]
    [InlineData("tm-10gb-30d")]
    [InlineData("x")]
    [InlineData("Plan: 5 GB / 30 días")]
    public void A_plan_code_keeps_its_text_exactly(string text)
    {
        var code = new PlanCode(text);

        Assert.Equal(text, code.Value);
        Assert.Equal(text, code.ToString());
    }

    [Fact]
    public void A_plan_code_may_be_100_characters_but_not_101()
    {
        Assert.Equal(100, new PlanCode(new string('A', 100)).Value.Length);

        var ex = Assert.Throws<DataRenewValidationException>(() => new PlanCode(new string('A', 101)));
        Assert.Equal("value", ex.ParameterName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" M2M10GB")]
    [InlineData("M2M10GB ")]
    [InlineData("M2M\t10GB")]
    [InlineData("M2M10GB\n")]
    [InlineData("M2M\u000010GB")]
    public void Invalid_plan_codes_are_refused(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new PlanCode(text));

        Assert.Equal("value", ex.ParameterName);
    }

    [Fact]
    public void A_null_plan_code_is_refused()
    {
        Assert.Throws<DataRenewValidationException>(() => new PlanCode(null!));
    }

    [Fact]
    public void Plan_codes_compare_exactly_case_included()
    {
        Assert.True(new PlanCode("M2M10GB") == new PlanCode("M2M10GB"));
        Assert.Equal(new PlanCode("M2M10GB").GetHashCode(), new PlanCode("M2M10GB").GetHashCode());
        Assert.True(new PlanCode("M2M10GB") != new PlanCode("m2m10gb"));
        Assert.False(new PlanCode("ATT 10GB").Equals(new PlanCode("ATT  10GB")));
    }

    [Fact]
    public void A_new_renewal_id_is_rnw_and_32_lower_case_hex_digits_of_a_version_7_guid()
    {
        var id = RenewalId.New();

        Assert.Matches("^rnw_[0-9a-f]{32}$", id.Value);
        Assert.Equal('7', id.Value[4 + 12]);
        Assert.Equal(id.Value, id.ToString());
    }

    [Fact]
    public void New_renewal_ids_are_unique()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => RenewalId.New().Value).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void A_renewal_id_parses_back_from_its_value()
    {
        var id = RenewalId.New();

        var parsed = RenewalId.Parse(id.Value);

        Assert.Equal(id, parsed);
        Assert.True(id == parsed);
        Assert.Equal(id.GetHashCode(), parsed.GetHashCode());
        Assert.True(RenewalId.TryParse(id.Value, out var tried));
        Assert.Equal(id, tried);
    }

    [Theory]
    [InlineData("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    [InlineData("rnw_00000000000000000000000000000000")]
    [InlineData("rnw_ffffffffffffffffffffffffffffffff")]
    public void Well_formed_renewal_ids_parse(string text)
    {
        Assert.Equal(text, RenewalId.Parse(text).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rnw_")]
    [InlineData("rnw_0192F1C6A2B47C3E9D5F1E2A3B4C5D6E")] // upper-case hex
    [InlineData("RNW_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    [InlineData("rnw-0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    [InlineData("abc_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    [InlineData("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6")] // 31 hex digits
    [InlineData("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e0")] // 33 hex digits
    [InlineData("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6g")]
    [InlineData("rnw_0192f1c6-a2b4-7c3e-9d5f-1e2a3b4c")]
    [InlineData(" rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    [InlineData("0192f1c6a2b47c3e9d5f1e2a3b4c5d6e")]
    public void Malformed_renewal_ids_are_refused(string text)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => RenewalId.Parse(text));

        Assert.Equal("text", ex.ParameterName);
        Assert.False(RenewalId.TryParse(text, out var id));
        Assert.Equal(default, id);
    }

    [Fact]
    public void TryParse_of_a_null_renewal_id_is_false()
    {
        Assert.False(RenewalId.TryParse(null, out var id));
        Assert.Equal(string.Empty, id.Value);
    }
}
