using DataRenew.Sdk.Payments;

namespace DataRenew.Sdk.Tests.Domain;

public sealed class CardPaymentMethodTests
{
    [Theory]
    [InlineData("4242424242424242", CardBrand.Visa, "737")]
    [InlineData("4242 4242 4242 4242", CardBrand.Visa, "737")]
    [InlineData("4242-4242-4242-4242", CardBrand.Visa, "737")]
    [InlineData("4222222222222", CardBrand.Visa, "737")] // 13 digits
    [InlineData("4242424242424242428", CardBrand.Visa, "737")] // 19 digits
    [InlineData("4000056655665556", CardBrand.Visa, "737")]
    [InlineData("5555555555554444", CardBrand.Mastercard, "737")]
    [InlineData("5555 5555 5555 4444", CardBrand.Mastercard, "737")]
    [InlineData("5100000000000008", CardBrand.Mastercard, "737")]
    [InlineData("2223003122003222", CardBrand.Mastercard, "737")] // 2-series
    [InlineData("2720000000000005", CardBrand.Mastercard, "737")]
    [InlineData("378282246310005", CardBrand.AmericanExpress, "7373")]
    [InlineData("3782 822463 10005", CardBrand.AmericanExpress, "7373")]
    [InlineData("6011111111111117", CardBrand.Discover, "737")]
    [InlineData("6500000000000002", CardBrand.Discover, "737")]
    [InlineData("6440000000000005", CardBrand.Discover, "737")]
    [InlineData("3530111333300000", CardBrand.Jcb, "737")]
    [InlineData("3528000000000007", CardBrand.Jcb, "737")]
    [InlineData("3589000000000003", CardBrand.Jcb, "737")]
    [InlineData("30569309025904", CardBrand.DinersClub, "737")]
    [InlineData("3056 930902 5904", CardBrand.DinersClub, "737")]
    [InlineData("30000000000004", CardBrand.DinersClub, "737")]
    [InlineData("30950000000000", CardBrand.DinersClub, "737")]
    [InlineData("36000000000008", CardBrand.DinersClub, "737")]
    [InlineData("38000000000006", CardBrand.DinersClub, "737")]
    [InlineData("3900000000000005", CardBrand.DinersClub, "737")]
    [InlineData("6200000000000005", CardBrand.UnionPay, "737")]
    [InlineData("6200000000000000000", CardBrand.UnionPay, "737")]
    public void Valid_cards_are_accepted_and_their_brand_detected(string number, CardBrand brand, string cvv)
    {
        var digits = number.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);

        var card = PaymentMethod.CreditCard(number, 12, 2030, cvv);

        Assert.Equal(brand, card.Brand);
        Assert.Equal(PaymentMethodKind.CreditCard, card.Kind);
        Assert.Equal(digits[^4..], card.Last4);
        Assert.Equal(digits, card.RevealNumber());
        Assert.Equal(cvv, card.RevealCvv());
        Assert.Equal(12, card.ExpiryMonth);
        Assert.Equal(2030, card.ExpiryYear);
    }

    [Fact]
    public void DebitCard_and_Create_make_cards_of_the_kind_asked_for()
    {
        Assert.Equal(PaymentMethodKind.DebitCard, PaymentMethod.DebitCard("5555555555554444", 1, 2029, "737").Kind);
        Assert.Equal(PaymentMethodKind.CreditCard, CardPaymentMethod.Create("5555555555554444", 1, 2029, "737").Kind);
        Assert.Equal(PaymentMethodKind.DebitCard, CardPaymentMethod.Create("5555555555554444", 1, 2029, "737", PaymentMethodKind.DebitCard).Kind);
    }

    [Theory]
    [InlineData(PaymentMethodKind.PayPal)]
    [InlineData(PaymentMethodKind.ApplePay)]
    [InlineData(PaymentMethodKind.CarrierBilling)]
    public void A_card_of_another_kind_is_refused(PaymentMethodKind kind)
    {
        AssertRejected(() => CardPaymentMethod.Create("4242424242424242", 12, 2030, "737", kind), "kind", "4242424242424242");
    }

    [Theory]
    // Bad check digit: one mistyped digit.
    [InlineData("4242424242424241")]
    [InlineData("4242 4242 4242 4241")]
    [InlineData("5555555555554445")]
    [InlineData("378282246310006")]
    [InlineData("6011111111111171")]
    [InlineData("30569309025940")]
    // Bad check digit: two neighbouring digits swapped.
    [InlineData("4242424242424224")]
    [InlineData("4242-4242-2442-4242")]
    [InlineData("5555555555545444")]
    [InlineData("378282246310050")]
    // Wrong length for the brand (each of these passes the Luhn check).
    [InlineData("424242424200000")] // Visa, 15
    [InlineData("424242424200")] // Visa, 12
    [InlineData("42424242420000")] // Visa, 14
    [InlineData("555555555555400")] // Mastercard, 15
    [InlineData("55555555555540000")] // Mastercard, 17
    [InlineData("222300310000001")] // Mastercard 2-series, 15
    [InlineData("3782822460000008")] // American Express, 16
    [InlineData("37828224600008")] // American Express, 14
    [InlineData("601111100000007")] // Discover, 15
    [InlineData("353011100000009")] // JCB, 15
    [InlineData("3056930000004")] // Diners Club, 13
    // Unknown brand (Luhn-valid).
    [InlineData("1234567890123452")]
    [InlineData("7000000000000005")]
    [InlineData("9999999999999995")]
    [InlineData("6759000000000000")] // Maestro
    [InlineData("3527000000000008")] // just below JCB
    [InlineData("30600000000001")] // just above Diners 300-305
    [InlineData("5600000000000003")] // just above Mastercard 51-55
    [InlineData("5000000000000009")]
    [InlineData("2220000000000000")] // just below Mastercard 2221
    [InlineData("2721000000000004")] // just above Mastercard 2720
    // Too short, too long, not digits.
    [InlineData("42424242420")]
    [InlineData("4242")]
    [InlineData("60111110000000000009")] // 20 digits
    [InlineData("4242 4242 4242 4242 4242")]
    [InlineData("4242 4242 4242 424x")]
    [InlineData("4242.4242.4242.4242")]
    [InlineData("4242/4242/4242/4242")]
    [InlineData("+4242424242424242")]
    [InlineData("４２４２４２４２４２４２４２４２")] // full-width digits
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-- --")]
    public void Bad_card_numbers_are_refused_without_quoting_the_number(string number)
    {
        AssertRejected(() => PaymentMethod.CreditCard(number, 12, 2030, "737"), "number", number);
        AssertRejected(() => PaymentMethod.DebitCard(number, 12, 2030, "737"), "number", number);
    }

    [Fact]
    public void A_null_card_number_is_refused()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CreditCard(null!, 12, 2030, "737"));

        Assert.Equal("number", ex.ParameterName);
    }

    [Fact]
    public void A_wrong_length_names_the_brand_and_the_digit_count()
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CreditCard("3782822460000008", 12, 2030, "7373"));

        Assert.Contains("AmericanExpress", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("16 digits", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4242 4242 4242 4242", 0)]
    [InlineData("4242 4242 4242 4242", 13)]
    [InlineData("4242 4242 4242 4242", -1)]
    [InlineData("378282246310005", 0)]
    [InlineData("378282246310005", 13)]
    public void An_expiry_month_outside_1_to_12_is_refused(string number, int month)
    {
        var cvv = number.StartsWith('3') ? "7373" : "737";

        AssertRejected(() => PaymentMethod.CreditCard(number, month, 2030, cvv), "expiryMonth", number);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void Expiry_months_1_and_12_are_accepted(int month)
    {
        Assert.Equal(month, PaymentMethod.CreditCard("4242424242424242", month, 2030, "737").ExpiryMonth);
    }

    [Theory]
    [InlineData(28, 2028)]
    [InlineData(0, 2000)]
    [InlineData(5, 2005)]
    [InlineData(99, 2099)]
    [InlineData(2028, 2028)]
    [InlineData(2000, 2000)]
    [InlineData(2100, 2100)]
    public void A_two_digit_expiry_year_means_20xx(int year, int expected)
    {
        Assert.Equal(expected, PaymentMethod.CreditCard("4242424242424242", 12, year, "737").ExpiryYear);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100)]
    [InlineData(999)]
    [InlineData(1999)]
    [InlineData(2101)]
    [InlineData(20280)]
    public void Other_expiry_years_are_refused(int year)
    {
        AssertRejected(() => PaymentMethod.CreditCard("4242 4242 4242 4242", 12, year, "737"), "expiryYear", "4242 4242 4242 4242");
    }

    [Theory]
    [InlineData("4242424242424242", "000")]
    [InlineData("5555555555554444", "999")]
    [InlineData("6011111111111117", "123")]
    [InlineData("3530111333300000", "456")]
    [InlineData("30569309025904", "789")]
    [InlineData("6200000000000005", "321")]
    [InlineData("378282246310005", "0000")]
    [InlineData("378282246310005", "1234")]
    public void The_CVV_is_four_digits_for_American_Express_and_three_otherwise(string number, string cvv)
    {
        Assert.Equal(cvv, PaymentMethod.CreditCard(number, 12, 2030, cvv).RevealCvv());
    }

    [Theory]
    [InlineData("4242424242424242", "12")]
    [InlineData("4242424242424242", "1234")]
    [InlineData("5555555555554444", "7373")]
    [InlineData("6011111111111117", "1")]
    [InlineData("378282246310005", "737")]
    [InlineData("378282246310005", "73737")]
    [InlineData("4242424242424242", "12a")]
    [InlineData("4242424242424242", "1 3")]
    [InlineData("4242424242424242", " 123")]
    [InlineData("4242424242424242", "-12")]
    [InlineData("4242424242424242", "١٢٣")] // Arabic-Indic digits
    [InlineData("4242424242424242", "")]
    public void A_CVV_of_the_wrong_length_or_with_non_digits_is_refused(string number, string cvv)
    {
        var ex = AssertRejected(() => PaymentMethod.CreditCard(number, 12, 2030, cvv), "cvv", number);

        Assert.Contains(number.StartsWith("37", StringComparison.Ordinal) ? "4 digits" : "3 digits", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_CVV_is_refused()
    {
        AssertRejected(() => PaymentMethod.CreditCard("4242424242424242", 12, 2030, null!), "cvv", "4242424242424242");
    }

    [Theory]
    [InlineData(12, 2028, "2028-12-01T00:00:00Z", false)]
    [InlineData(12, 2028, "2028-12-31T23:59:59.9999999Z", false)]
    [InlineData(12, 2028, "2029-01-01T00:00:00Z", false)] // still Dec 31 in Honolulu
    [InlineData(12, 2028, "2028-12-31T20:00:00-08:00", false)] // 8 pm on the last day, Pacific time
    [InlineData(12, 2028, "2029-01-01T11:59:59Z", false)] // the last time zone is still on Dec 31
    [InlineData(12, 2028, "2029-01-01T12:00:00Z", true)]
    [InlineData(12, 2028, "2027-12-31T23:59:59Z", false)]
    [InlineData(12, 2028, "2030-06-15T00:00:00Z", true)]
    [InlineData(2, 2028, "2028-02-29T23:59:59Z", false)] // leap day
    [InlineData(2, 2028, "2028-03-01T12:00:00Z", true)]
    [InlineData(2, 2027, "2027-02-28T23:59:59Z", false)]
    [InlineData(2, 2027, "2027-03-01T12:00:00Z", true)]
    [InlineData(6, 2028, "2028-01-15T00:00:00Z", false)]
    [InlineData(6, 2028, "2027-12-15T00:00:00Z", false)]
    [InlineData(1, 2028, "2027-12-31T23:59:59Z", false)]
    [InlineData(1, 2028, "2028-02-01T12:00:00Z", true)]
    public void A_card_is_valid_through_the_last_day_of_its_expiry_month_in_every_time_zone(int month, int year, string now, bool expired)
    {
        var card = PaymentMethod.CreditCard("4242424242424242", month, year, "737");

        Assert.Equal(expired, card.IsExpiredAt(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("4242 4242 4242 4242", "737", 12, 2030, PaymentMethodKind.CreditCard, "Visa credit •••• 4242, expires 12/2030")]
    [InlineData("5555555555554444", "737", 1, 2029, PaymentMethodKind.DebitCard, "Mastercard debit •••• 4444, expires 01/2029")]
    [InlineData("378282246310005", "7373", 3, 27, PaymentMethodKind.CreditCard, "American Express credit •••• 0005, expires 03/2027")]
    [InlineData("6011111111111117", "737", 12, 2030, PaymentMethodKind.CreditCard, "Discover credit •••• 1117, expires 12/2030")]
    [InlineData("3530111333300000", "737", 12, 2030, PaymentMethodKind.DebitCard, "JCB debit •••• 0000, expires 12/2030")]
    [InlineData("30569309025904", "737", 12, 2030, PaymentMethodKind.CreditCard, "Diners Club credit •••• 5904, expires 12/2030")]
    [InlineData("6200000000000005", "737", 12, 2030, PaymentMethodKind.CreditCard, "UnionPay credit •••• 0005, expires 12/2030")]
    public void ToString_shows_brand_kind_last_four_and_expiry_only(string number, string cvv, int month, int year, PaymentMethodKind kind, string expected)
    {
        var card = CardPaymentMethod.Create(number, month, year, cvv, kind);
        var digits = card.RevealNumber();

        var text = card.ToString();
        var summary = card.Summary.ToString();
        var asBase = ((PaymentMethod)card).ToString();

        Assert.Equal(expected, text);
        Assert.Equal(expected, asBase);
        Assert.Equal(expected[..expected.IndexOf(',', StringComparison.Ordinal)], summary);
        foreach (var shown in new[] { text, summary, $"{card}", card.Summary.Last4 ?? string.Empty })
        {
            Assert.DoesNotContain(digits, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(number, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(digits[..6], shown, StringComparison.Ordinal);
            Assert.DoesNotContain(cvv, shown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Summary_carries_kind_brand_and_last_four_only()
    {
        var card = PaymentMethod.DebitCard("5555 5555 5555 4444", 1, 2029, "737");

        Assert.Equal(new PaymentMethodSummary(PaymentMethodKind.DebitCard, CardBrand.Mastercard, "4444"), card.Summary);
    }

    [Fact]
    public void A_card_summary_without_a_brand_says_Card()
    {
        Assert.Equal("Card debit •••• 1234", new PaymentMethodSummary(PaymentMethodKind.DebitCard, null, "1234").ToString());
    }

    [Theory]
    [InlineData(PaymentMethodKind.PayPal, "PayPal")]
    [InlineData(PaymentMethodKind.Alipay, "Alipay")]
    [InlineData(PaymentMethodKind.WeChatPay, "WeChat Pay")]
    [InlineData(PaymentMethodKind.CarrierBilling, "Carrier bill")]
    public void Methods_without_secrets_have_a_kind_and_a_name(PaymentMethodKind kind, string name)
    {
        var method = kind switch
        {
            PaymentMethodKind.PayPal => PaymentMethod.PayPal(),
            PaymentMethodKind.Alipay => PaymentMethod.Alipay(),
            PaymentMethodKind.WeChatPay => PaymentMethod.WeChatPay(),
            _ => PaymentMethod.CarrierBilling(),
        };

        Assert.Equal(kind, method.Kind);
        Assert.Equal(name, method.ToString());
        Assert.Equal(new PaymentMethodSummary(kind), method.Summary);
        Assert.Null(method.Summary.Brand);
        Assert.Null(method.Summary.Last4);
    }

    [Fact]
    public void An_Apple_Pay_token_is_revealed_on_request_and_never_shown()
    {
        const string Token = "eyJkYXRhIjoiU2VjcmV0QXBwbGVQYXlUb2tlbiJ9";

        var method = PaymentMethod.ApplePay(Token);

        Assert.Equal(PaymentMethodKind.ApplePay, method.Kind);
        Assert.Equal(Token, method.RevealToken());
        Assert.Equal("Apple Pay", method.ToString());
        Assert.Equal("Apple Pay", method.Summary.ToString());
        Assert.DoesNotContain(Token, method.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_Apple_Pay_token_may_be_16_KB_but_not_more()
    {
        Assert.Equal(16_384, PaymentMethod.ApplePay(new string('t', 16_384)).RevealToken().Length);

        var ex = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.ApplePay(new string('t', 16_385)));
        Assert.Equal("paymentToken", ex.ParameterName);
        Assert.DoesNotContain("tttt", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_Apple_Pay_token_is_refused(string token)
    {
        var ex = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.ApplePay(token));

        Assert.Equal("paymentToken", ex.ParameterName);
    }

    [Fact]
    public void A_null_Apple_Pay_token_is_refused()
    {
        Assert.Equal("paymentToken", Assert.Throws<DataRenewValidationException>(() => PaymentMethod.ApplePay(null!)).ParameterName);
    }

    private static DataRenewValidationException AssertRejected(Func<CardPaymentMethod> create, string parameterName, string number)
    {
        var ex = Assert.Throws<DataRenewValidationException>(create);

        Assert.Equal(parameterName, ex.ParameterName);
        var digits = new string(number.Where(char.IsAsciiDigit).ToArray());
        foreach (var text in new[] { ex.Message, ex.Reason, ex.ToString() })
        {
            if (number.Trim().Length > 0)
            {
                Assert.DoesNotContain(number, text, StringComparison.Ordinal);
            }

            if (digits.Length >= 8)
            {
                Assert.DoesNotContain(digits, text, StringComparison.Ordinal);
                Assert.DoesNotContain(digits[..8], text, StringComparison.Ordinal);
                Assert.DoesNotContain(digits[^8..], text, StringComparison.Ordinal);
            }
        }

        return ex;
    }
}
