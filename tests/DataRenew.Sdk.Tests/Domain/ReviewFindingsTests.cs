using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Tests.Domain;

/// <summary>Edges found by reviewing the domain tests, kept so they stay fixed.</summary>
public sealed class ReviewFindingsTests
{
    [Theory]
    [InlineData("$1,234.50", "1234.50", "USD")]
    [InlineData("-$1,234.50", "-1234.50", "USD")]
    [InlineData("-$5.00", "-5.00", "USD")]
    [InlineData("1,234.50 EUR", "1234.50", "EUR")]
    [InlineData("$1,234,567.891", "1234567.891", "USD")]
    public void Money_parses_back_what_ToString_writes(string text, string amount, string currency)
    {
        var money = Money.Parse(text);

        Assert.Equal(new Money(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency), money);
        Assert.Equal(money, Money.Parse(money.ToString()));
    }

    [Theory]
    [InlineData("1,23.00 USD")]
    [InlineData("$1234,567")]
    [InlineData("$1,234.5,0")]
    [InlineData("-$-5.00")]
    [InlineData("$,123")]
    public void Money_refuses_commas_that_do_not_separate_thousands(string text)
    {
        Assert.False(Money.TryParse(text, out _));
    }

    [Fact]
    public void Default_money_prints_without_a_dangling_currency()
    {
        Assert.Equal("0", default(Money).ToString());
    }

    [Fact]
    public void A_discount_that_rounds_away_is_not_applied()
    {
        var plan = new Plan(new PlanCode("P"), "P", DataAmount.FromGigabytes(1), Money.Usd(10m), 30);
        var tiny = Promotion.FixedAmountOff("tiny", "Tiny", Money.Usd(0.004m));

        var option = RenewalOption.For(plan, [tiny], DateTimeOffset.UnixEpoch);

        Assert.Equal(Money.Usd(10m), option.Price);
        Assert.Empty(option.AppliedPromotions);
        Assert.Equal(Money.Usd(0m), option.Savings);
    }

    [Fact]
    public void An_unrounded_plan_price_is_charged_rounded_with_no_negative_saving()
    {
        var plan = new Plan(new PlanCode("P"), "P", DataAmount.FromGigabytes(1), Money.Usd(9.995m), 30);

        var option = RenewalOption.For(plan, [], DateTimeOffset.UnixEpoch);

        Assert.Equal(Money.Usd(10.00m), option.Price);
        Assert.Equal(Money.Usd(0m), option.Savings);
    }

    [Theory]
    [InlineData(999_999_999L, "1 GB")]
    [InlineData(999_994_999L, "999.99 MB")]
    [InlineData(990_000_000L, "990 MB")]
    [InlineData(999_999L, "1 MB")]
    [InlineData(999L, "999 B")]
    [InlineData(999_999_999_999L, "1 TB")]
    public void DataAmount_picks_its_unit_after_rounding(long bytes, string expected)
    {
        Assert.Equal(expected, DataAmount.FromBytes(bytes).ToString());
    }

    [Theory]
    [InlineData("202-911-0143")]
    [InlineData("(202) 411-0143")]
    public void An_N11_service_code_is_not_an_exchange(string text)
    {
        Assert.False(PhoneNumber.TryParse(text, out _));
    }

    [Fact]
    public void Non_breaking_spaces_between_digit_groups_are_accepted()
    {
        Assert.Equal("+12025550143", PhoneNumber.Parse("202\u00A0555\u00A00143").E164);
        Assert.Equal("8914800000000000014", Iccid.Parse("8914\u00A08000\u00A00000\u00A00000\u00A0014").Value);
    }

    [Theory]
    [InlineData("123-456", "123456")]
    [InlineData("123 456", "123456")]
    [InlineData("12-34-56", "123456")]
    public void A_one_time_code_may_be_typed_in_groups(string typed, string digits)
    {
        Assert.Equal(digits, new OneTimeCode(typed).Reveal());
    }

    [Fact]
    public void A_Diners_Club_International_3095_card_is_recognised()
    {
        Assert.Equal(CardBrand.DinersClub, PaymentMethod.CreditCard("30950000000000", 1, 2030, "123").Brand);
    }

    [Fact]
    public void A_processor_token_pays_by_card_without_the_card_number_and_never_shows_the_token()
    {
        var token = "pm_1Q2w3E4r5T6y7U8i9O0p";

        var card = PaymentMethod.CardToken(token, CardBrand.Visa, "4242");

        Assert.Equal(PaymentMethodKind.CreditCard, card.Kind);
        Assert.Equal("Visa credit •••• 4242", card.Summary.ToString());
        Assert.Equal(token, card.RevealToken());
        Assert.DoesNotContain(token, card.ToString(), StringComparison.Ordinal);
        Assert.Equal("last4", Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CardToken(token, CardBrand.Visa, "42")).ParameterName);
        Assert.Equal("token", Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CardToken(" ", CardBrand.Visa, "4242")).ParameterName);
        Assert.Equal("brand", Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CardToken(token, (CardBrand)99, "4242")).ParameterName);
    }
}
