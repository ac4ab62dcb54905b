namespace DataRenew.Sdk.Tests.Domain;

public sealed class PromotionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly PlanCode Code10 = new("P10");
    private static readonly PlanCode Code5 = new("P5");
    private static readonly Plan Plan10 = new(Code10, "10 GB · 30 days", DataAmount.FromGigabytes(10m), Money.Usd(40m), 30);

    private static Plan PlanAt(decimal price, string currency = "USD") => new(Code10, "10 GB · 30 days", DataAmount.FromGigabytes(10m), new Money(price, currency), 30);

    private static Promotion Percent(decimal percent, string id = "pct") => Promotion.PercentOff(id, id, percent);

    private static Promotion Off(decimal amount, string currency = "USD", string id = "off") => Promotion.FixedAmountOff(id, id, new Money(amount, currency));

    private static Promotion Bonus(decimal gigabytes, string id = "bonus") => Promotion.ExtraData(id, id, DataAmount.FromGigabytes(gigabytes));

    [Fact]
    public void Without_promotions_the_option_is_the_plan_as_listed()
    {
        var option = RenewalOption.For(Plan10, [], Now);

        Assert.Equal(Money.Usd(40m), option.Price);
        Assert.Equal(DataAmount.FromGigabytes(10m), option.Data);
        Assert.Empty(option.AppliedPromotions);
        Assert.Equal(Money.Usd(0m), option.Savings);
        Assert.Same(Plan10, option.Plan);
    }

    [Theory]
    [InlineData("25", "10")]
    [InlineData("10", "4")]
    [InlineData("50", "20")]
    [InlineData("100", "40")]
    [InlineData("33", "13.20")]
    public void A_percentage_off_lowers_the_price(string percent, string saving)
    {
        var promotion = Percent(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture));

        var option = RenewalOption.For(PlanAt(40m), [promotion], Now);

        var expectedSaving = decimal.Parse(saving, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Money.Usd(40m - expectedSaving), option.Price);
        Assert.Equal(Money.Usd(expectedSaving), option.Savings);
        Assert.Equal([promotion], option.AppliedPromotions);
    }

    [Fact]
    public void An_amount_off_lowers_the_price_by_that_amount()
    {
        var promotion = Off(5m);

        var option = RenewalOption.For(Plan10, [promotion], Now);

        Assert.Equal(Money.Usd(35m), option.Price);
        Assert.Equal(Money.Usd(5m), option.Savings);
        Assert.Equal([promotion], option.AppliedPromotions);
    }

    [Fact]
    public void The_price_discount_that_saves_most_wins_whatever_the_order()
    {
        var quarter = Percent(25m, "quarter"); // $40 -> $30
        var fiver = Off(5m, id: "fiver"); // $40 -> $35
        var tenth = Percent(10m, "tenth"); // $40 -> $36

        var forward = RenewalOption.For(Plan10, [fiver, quarter, tenth], Now);
        var backward = RenewalOption.For(Plan10, [tenth, quarter, fiver], Now);

        Assert.Equal(Money.Usd(30m), forward.Price);
        Assert.Equal([quarter], forward.AppliedPromotions);
        Assert.Equal(Money.Usd(30m), backward.Price);
        Assert.Equal([quarter], backward.AppliedPromotions);
    }

    [Fact]
    public void An_amount_off_wins_over_a_smaller_percentage()
    {
        var fifteen = Off(15m, id: "fifteen"); // $40 -> $25
        var quarter = Percent(25m, "quarter"); // $40 -> $30

        var option = RenewalOption.For(Plan10, [quarter, fifteen], Now);

        Assert.Equal(Money.Usd(25m), option.Price);
        Assert.Equal([fifteen], option.AppliedPromotions);
    }

    [Fact]
    public void Price_discounts_do_not_stack()
    {
        var option = RenewalOption.For(Plan10, [Percent(25m, "a"), Percent(10m, "b"), Off(5m, id: "c")], Now);

        // Stacked would be $40 * 0.75 * 0.9 - $5 = $22.00; the best single one is $30.00.
        Assert.Equal(Money.Usd(30m), option.Price);
        Assert.Single(option.AppliedPromotions);
        Assert.Equal("a", option.AppliedPromotions[0].Id);
    }

    [Fact]
    public void Between_equal_discounts_the_first_listed_is_applied()
    {
        var percent = Percent(25m, "percent"); // $30
        var amount = Off(10m, id: "amount"); // $30

        Assert.Equal([percent], RenewalOption.For(Plan10, [percent, amount], Now).AppliedPromotions);
        Assert.Equal([amount], RenewalOption.For(Plan10, [amount, percent], Now).AppliedPromotions);
    }

    [Fact]
    public void Bonus_data_promotions_add_up_and_are_all_applied()
    {
        var five = Bonus(5m, "five");
        var two = Bonus(2m, "two");

        var option = RenewalOption.For(Plan10, [five, two], Now);

        Assert.Equal(DataAmount.FromGigabytes(17m), option.Data);
        Assert.Equal(Money.Usd(40m), option.Price);
        Assert.Equal([five, two], option.AppliedPromotions);
    }

    [Fact]
    public void Bonus_data_combines_with_the_best_discount_which_is_listed_first()
    {
        var five = Bonus(5m, "five");
        var fiver = Off(5m, id: "fiver");
        var quarter = Percent(25m, "quarter");
        var half = Bonus(0.5m, "half");

        var option = RenewalOption.For(Plan10, [five, fiver, quarter, half], Now);

        Assert.Equal(Money.Usd(30m), option.Price);
        Assert.Equal(DataAmount.FromGigabytes(15.5m), option.Data);
        Assert.Equal([quarter, five, half], option.AppliedPromotions);
    }

    [Fact]
    public void Bonus_data_on_an_unlimited_plan_stays_unlimited()
    {
        var plan = new Plan(Code10, "Unlimited", DataAmount.Unlimited, Money.Usd(60m), 30);

        var option = RenewalOption.For(plan, [Bonus(5m)], Now);

        Assert.True(option.Data.IsUnlimited);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(-3600, null, true)]
    [InlineData(0, null, true)] // starts now
    [InlineData(1, null, false)] // starts in a second
    [InlineData(86400, null, false)]
    [InlineData(null, 1, true)] // ends in a second
    [InlineData(null, 0, false)] // ended just now
    [InlineData(null, -1, false)]
    [InlineData(null, -86400, false)]
    [InlineData(-86400, 86400, true)]
    [InlineData(-86400 * 2, -86400, false)]
    [InlineData(86400, 86400 * 2, false)]
    public void Only_promotions_valid_at_the_moment_apply(int? startsInSeconds, int? endsInSeconds, bool applies)
    {
        DateTimeOffset? from = startsInSeconds is { } s ? Now.AddSeconds(s) : null;
        DateTimeOffset? until = endsInSeconds is { } e ? Now.AddSeconds(e) : null;
        var discount = Promotion.PercentOff("pct", "25 % off", 25m, validFrom: from, validUntil: until);
        var bonus = Promotion.ExtraData("bonus", "5 GB more", DataAmount.FromGigabytes(5m), validFrom: from, validUntil: until);

        var option = RenewalOption.For(Plan10, [discount, bonus], Now);

        Assert.Equal(applies, discount.AppliesAt(Code10, Now));
        Assert.Equal(applies ? Money.Usd(30m) : Money.Usd(40m), option.Price);
        Assert.Equal(DataAmount.FromGigabytes(applies ? 15m : 10m), option.Data);
        Assert.Equal(applies ? 2 : 0, option.AppliedPromotions.Count);
    }

    [Fact]
    public void An_expired_better_discount_does_not_beat_a_valid_smaller_one()
    {
        var expired = Promotion.PercentOff("old", "Half off (ended)", 50m, validUntil: Now.AddDays(-1));
        var upcoming = Promotion.FixedAmountOff("new", "$30 off (soon)", Money.Usd(30m), validFrom: Now.AddDays(1));
        var current = Percent(10m, "current");

        var option = RenewalOption.For(Plan10, [expired, upcoming, current], Now);

        Assert.Equal(Money.Usd(36m), option.Price);
        Assert.Equal([current], option.AppliedPromotions);
    }

    [Fact]
    public void A_promotion_for_other_plans_does_not_apply()
    {
        var forFive = Promotion.PercentOff("p5", "P5 only", 50m, [Code5]);
        var bonusForFive = Promotion.ExtraData("b5", "P5 bonus", DataAmount.FromGigabytes(5m), [Code5]);

        var option = RenewalOption.For(Plan10, [forFive, bonusForFive], Now);

        Assert.Equal(Money.Usd(40m), option.Price);
        Assert.Equal(DataAmount.FromGigabytes(10m), option.Data);
        Assert.Empty(option.AppliedPromotions);
    }

    [Fact]
    public void A_promotion_naming_the_plan_among_others_applies()
    {
        var promotion = Promotion.PercentOff("both", "P5 and P10", 50m, [Code5, new PlanCode("P10")]);

        var option = RenewalOption.For(Plan10, [promotion], Now);

        Assert.Equal(Money.Usd(20m), option.Price);
        Assert.True(promotion.AppliesAt(Code10, Now));
        Assert.False(promotion.AppliesAt(new PlanCode("P20"), Now));
    }

    [Fact]
    public void A_promotion_naming_no_plans_applies_to_every_plan()
    {
        var promotion = Percent(50m);

        Assert.Empty(promotion.AppliesTo);
        Assert.True(promotion.AppliesAt(Code10, Now));
        Assert.True(promotion.AppliesAt(new PlanCode("anything"), Now));
    }

    [Fact]
    public void Plan_codes_in_a_promotion_match_case_sensitively()
    {
        var promotion = Promotion.PercentOff("lower", "lower case", 50m, [new PlanCode("p10")]);

        Assert.Equal(Money.Usd(40m), RenewalOption.For(Plan10, [promotion], Now).Price);
    }

    [Theory]
    [InlineData("40")]
    [InlineData("40.01")]
    [InlineData("100")]
    public void An_amount_off_never_takes_the_price_below_zero(string amount)
    {
        var promotion = Off(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture));

        var option = RenewalOption.For(Plan10, [promotion], Now);

        Assert.Equal(Money.Usd(0m), option.Price);
        Assert.Equal(Money.Usd(40m), option.Savings);
        Assert.Equal([promotion], option.AppliedPromotions);
    }

    [Fact]
    public void An_amount_off_in_another_currency_is_ignored_without_an_error()
    {
        var euros = Off(10m, "EUR", "euros");

        var option = RenewalOption.For(Plan10, [euros], Now);

        Assert.Equal(Money.Usd(40m), option.Price);
        Assert.Empty(option.AppliedPromotions);
    }

    [Fact]
    public void An_amount_off_in_another_currency_does_not_stop_a_valid_discount()
    {
        var euros = Off(30m, "EUR", "euros");
        var dollars = Off(5m, id: "dollars");

        var option = RenewalOption.For(Plan10, [euros, dollars], Now);

        Assert.Equal(Money.Usd(35m), option.Price);
        Assert.Equal([dollars], option.AppliedPromotions);
    }

    [Fact]
    public void A_percentage_off_applies_in_the_plan_currency()
    {
        var option = RenewalOption.For(PlanAt(1000m, "JPY"), [Percent(33.3m)], Now);

        Assert.Equal(new Money(667m, "JPY"), option.Price);
    }

    [Theory]
    [InlineData("9.99", "33", null, "6.69")]
    [InlineData("19.99", "15", null, "16.99")]
    [InlineData("10", null, "0.125", "9.88")]
    [InlineData("10", null, "0.005", "10.00")]
    [InlineData("10.005", null, null, "10.01")]
    [InlineData("40", "12.5", null, "35.00")]
    public void The_price_is_rounded_to_cents(string price, string? percent, string? amountOff, string expected)
    {
        var promotions = new List<Promotion>();
        if (percent is not null)
        {
            promotions.Add(Percent(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (amountOff is not null)
        {
            promotions.Add(Off(decimal.Parse(amountOff, System.Globalization.CultureInfo.InvariantCulture)));
        }

        var option = RenewalOption.For(PlanAt(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)), promotions, Now);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), option.Price.Amount);
        Assert.Equal(option.Price.Amount, Math.Round(option.Price.Amount, 2));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("100.01")]
    public void A_percentage_outside_more_than_0_to_100_is_refused(string percent)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Percent(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal("percent", ex.ParameterName);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void An_amount_off_of_zero_or_less_is_refused(string amount)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Off(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal("amount", ex.ParameterName);
    }

    [Fact]
    public void Zero_bonus_data_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Promotion.ExtraData("b", "nothing", DataAmount.Zero));

        Assert.Equal("bonus", ex.ParameterName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_promotion_that_ends_before_or_when_it_starts_is_refused(int lengthInSeconds)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => Promotion.PercentOff("p", "p", 10m, validFrom: Now, validUntil: Now.AddSeconds(lengthInSeconds)));

        Assert.Equal("validUntil", ex.ParameterName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void A_promotion_needs_an_id_and_a_name(string blank)
    {
        Assert.Equal("id", Assert.Throws<DataRenewValidationException>(() => Promotion.PercentOff(blank, "name", 10m)).ParameterName);
        Assert.Equal("name", Assert.Throws<DataRenewValidationException>(() => Promotion.PercentOff("id", blank, 10m)).ParameterName);
    }

    [Fact]
    public void Promotions_with_the_same_terms_are_equal()
    {
        var a = Promotion.PercentOff("p", "25 % off", 25m, [Code10], Now, Now.AddDays(7));
        var b = Promotion.PercentOff("p", "25 % off", 25m, [new PlanCode("P10")], Now, Now.AddDays(7));
        var c = Promotion.PercentOff("p", "25 % off", 25m, [Code5], Now, Now.AddDays(7));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_promotion_keeps_its_own_copy_of_the_plans_it_names()
    {
        var codes = new List<PlanCode> { Code5 };
        var promotion = Promotion.PercentOff("p", "p", 10m, codes);

        codes.Add(Code10);

        Assert.False(promotion.AppliesAt(Code10, Now));
    }
}
