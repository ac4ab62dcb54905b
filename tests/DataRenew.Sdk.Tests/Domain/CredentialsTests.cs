namespace DataRenew.Sdk.Tests.Domain;

public sealed class CredentialsTests
{
    private const string Secret = "Tr0ub4dor&3-horse";

    [Fact]
    public void Password_credentials_keep_the_username_and_reveal_the_password_only_on_request()
    {
        var credentials = new PasswordCredentials("alice@example.com", Secret);

        Assert.Equal("alice@example.com", credentials.Username);
        Assert.Equal(Secret, credentials.RevealPassword());
    }

    [Fact]
    public void Password_credentials_ToString_shows_the_username_and_never_the_password()
    {
        var credentials = new PasswordCredentials("alice@example.com", Secret);

        Assert.Equal("alice@example.com (password hidden)", credentials.ToString());
        Assert.Equal("alice@example.com (password hidden)", $"{credentials}");
        Assert.DoesNotContain(Secret, credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Tr0ub4dor", credentials.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t")]
    public void An_empty_username_is_refused(string username)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials(username, Secret));

        Assert.Equal("username", ex.ParameterName);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_username_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials(null!, Secret));

        Assert.Equal("username", ex.ParameterName);
    }

    [Fact]
    public void A_username_may_be_256_characters_but_not_257()
    {
        Assert.Equal(256, new PasswordCredentials(new string('u', 256), Secret).Username.Length);

        var ex = Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials(new string('u', 257), Secret));
        Assert.Equal("username", ex.ParameterName);
    }

    [Fact]
    public void An_empty_or_null_password_is_refused()
    {
        Assert.Equal("password", Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials("alice", string.Empty)).ParameterName);
        Assert.Equal("password", Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials("alice", null!)).ParameterName);
    }

    [Fact]
    public void A_password_may_be_1024_characters_but_a_longer_one_is_refused_without_being_quoted()
    {
        var longest = "p" + new string('x', 1023);
        Assert.Equal(longest, new PasswordCredentials("alice", longest).RevealPassword());

        var tooLong = "p" + new string('y', 1024);
        var ex = Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials("alice", tooLong));
        Assert.Equal("password", ex.ParameterName);
        Assert.DoesNotContain("yyyy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_of_spaces_is_kept_as_typed()
    {
        Assert.Equal("   ", new PasswordCredentials("alice", "   ").RevealPassword());
    }

    [Theory]
    [InlineData("1234", "1234")]
    [InlineData("123456", "123456")]
    [InlineData("123 456", "123456")]
    [InlineData(" 12 34 56 ", "123456")]
    [InlineData("0000000000", "0000000000")]
    [InlineData("012345", "012345")]
    public void A_one_time_code_keeps_its_digits_without_spaces(string typed, string digits)
    {
        Assert.Equal(digits, new OneTimeCode(typed).Reveal());
    }

    [Theory]
    [InlineData("482913")]
    [InlineData("4829")]
    [InlineData("4829135760")]
    public void A_one_time_code_ToString_never_shows_the_code(string code)
    {
        var otc = new OneTimeCode(code);

        Assert.Equal("******", otc.ToString());
        Assert.Equal("******", $"{otc}");
        Assert.DoesNotContain(code, otc.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("123")]
    [InlineData("1 2 3")]
    [InlineData("12345678901")]
    [InlineData("12a456")]
    [InlineData("123\t456")]
    [InlineData("-1234")]
    [InlineData("１２３４５６")] // full-width digits
    public void Invalid_one_time_codes_are_refused_without_quoting_them(string code)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new OneTimeCode(code));

        Assert.Equal("code", ex.ParameterName);
        if (code.Trim().Length >= 3)
        {
            Assert.DoesNotContain(code.Trim(), ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_null_one_time_code_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => new OneTimeCode(null!));

        Assert.Equal("code", ex.ParameterName);
    }

    [Fact]
    public void The_default_one_time_code_reveals_nothing()
    {
        OneTimeCode code = default;

        Assert.Equal(string.Empty, code.Reveal());
        Assert.Equal("******", code.ToString());
    }
}
