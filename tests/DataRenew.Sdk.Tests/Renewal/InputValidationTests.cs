using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.Options;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Bad input fails locally, before any call to the carrier or the gateway, with a message that names the problem and never the card number.</summary>
public sealed class InputValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("555-0143")]
    [InlineData("(011) 555-0143")]
    [InlineData("(202) 155-0143")]
    [InlineData("(911) 555-0143")]
    [InlineData("202 555 01435")]
    [InlineData("+0 20 7946 0958")]
    [InlineData("+44 20")]
    [InlineData("202-555-O143")]
    [InlineData("")]
    public void Malformed_phone_number_is_refused_with_a_message(string text)
    {
        var error = Assert.Throws<DataRenewValidationException>(() => PhoneNumber.Parse(text));

        Assert.Equal("text", error.ParameterName);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        Assert.False(PhoneNumber.TryParse(text, out _));
    }

    [Theory]
    [InlineData("(202) 555-0143", "+12025550143")]
    [InlineData("1 202 555 0143", "+12025550143")]
    [InlineData("202.555.0143", "+12025550143")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    public void Well_formed_phone_numbers_parse_to_E164_and_print_masked(string text, string e164)
    {
        var number = PhoneNumber.Parse(text);

        Assert.Equal(e164, number.E164);
        Assert.DoesNotContain(e164, number.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(e164[^4..], number.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requesting_a_code_without_a_phone_number_is_refused_before_reaching_the_carrier()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, default, Ct));

        Assert.Equal("phoneNumber", error.ParameterName);
        Assert.Empty(h.Carrier.Calls);
    }

    [Fact]
    public async Task Requesting_a_code_for_a_number_the_carrier_does_not_serve_is_refused_by_the_carrier()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<DataRenewException>(() => h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, PhoneNumber.Parse("(202) 555-0111"), Ct));

        Assert.Equal("INVALID_MSISDN", error.CarrierErrorCode);
        Assert.DoesNotContain("2025550111", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("8914800000000000015", "check digit")]
    [InlineData("891480000000000001", "19 or 20 digits")]
    [InlineData("89148000000000000140", "check digit")]
    [InlineData("9914800000000000014", "starts with 89")]
    [InlineData("8914-8000-0000-0000-01X", "19 or 20 digits")]
    public void Malformed_ICCID_is_refused_saying_what_is_wrong(string text, string expected)
    {
        var error = Assert.Throws<DataRenewValidationException>(() => Iccid.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(Iccid.TryParse(text, out _));
    }

    [Fact]
    public void ICCID_with_group_separators_parses_and_masks_for_logs()
    {
        var iccid = Iccid.Parse("8914 8000 0000 0000 014");

        Assert.Equal(FakeCarrierSeed.PhysicalIccid, iccid);
        Assert.Equal("891480*********0014", iccid.ToMaskedString());
    }

    [Theory]
    [InlineData("4242 4242 4242 4241", "number", "check digit")]
    [InlineData("4242 4242 424", "number", "12 to 19 digits")]
    [InlineData("4242 4242 4242 4242 4242", "number", "12 to 19 digits")]
    [InlineData("9242 4242 4242 4242", "number", "card network")]
    [InlineData("4242 4242 4242 42", "number", "does not have 14 digits")]
    [InlineData("3782 822463 1000", "number", "does not have 14 digits")]
    [InlineData("4242-4242-4242-424x", "number", "12 to 19 digits")]
    public void Malformed_card_number_is_refused_without_echoing_the_number(string number, string parameter, string expected)
    {
        var error = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CreditCard(number, 12, 2030, "123"));

        Assert.Equal(parameter, error.ParameterName);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        AssertDoesNotLeak(number, error.Message);
    }

    [Theory]
    [InlineData(0, 2030, "123", "expiryMonth")]
    [InlineData(13, 2030, "123", "expiryMonth")]
    [InlineData(12, 1999, "123", "expiryYear")]
    [InlineData(12, 2101, "123", "expiryYear")]
    [InlineData(12, 2030, "12", "cvv")]
    [InlineData(12, 2030, "1234", "cvv")]
    [InlineData(12, 2030, "12a", "cvv")]
    [InlineData(12, 2030, "", "cvv")]
    public void Bad_expiry_or_security_code_is_refused_naming_the_field_without_echoing_the_number(int month, int year, string cvv, string parameter)
    {
        var error = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CreditCard("4242 4242 4242 4242", month, year, cvv));

        Assert.Equal(parameter, error.ParameterName);
        AssertDoesNotLeak(Harness.VisaNumber, error.Message);
    }

    [Fact]
    public void American_Express_needs_a_four_digit_security_code()
    {
        var error = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.CreditCard("3782 822463 10005", 12, 2030, "123"));

        Assert.Equal("cvv", error.ParameterName);
        Assert.Contains("AmericanExpress card is 4 digits", error.Message, StringComparison.Ordinal);
        var amex = PaymentMethod.CreditCard("3782 822463 10005", 12, 2030, "1234");
        Assert.Equal("American Express credit •••• 0005, expires 12/2030", amex.ToString());
    }

    [Fact]
    public void Card_shows_only_brand_and_last_four_digits()
    {
        var card = PaymentMethod.DebitCard("5555-5555-5555-4444", 3, 29, "321");

        Assert.Equal("Mastercard debit •••• 4444, expires 03/2029", card.ToString());
        Assert.Equal(new PaymentMethodSummary(PaymentMethodKind.DebitCard, CardBrand.Mastercard, "4444"), card.Summary);
        Assert.DoesNotContain("5555555555554444", card.Summary.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("321", card.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expired_card_is_refused_when_the_renewal_starts_before_anything_is_sent_or_recorded()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync();
        var carrierCalls = h.Carrier.Calls.Count;
        var expired = PaymentMethod.CreditCard("4242 4242 4242 4242", 10, 2026, "123"); // the clock is at 26 November 2026

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => h.Client.StartRenewalAsync(session, new RenewalRequest(quote, expired), Ct));

        Assert.Equal("request.PaymentMethod", error.ParameterName);
        Assert.Contains("expired at the end of 10/2026", error.Message, StringComparison.Ordinal);
        AssertDoesNotLeak(Harness.VisaNumber, error.Message);
        Assert.Empty(h.Payments.Calls);
        Assert.Equal(carrierCalls, h.Carrier.Calls.Count);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.SubmitOrder));
        Assert.Empty(h.Appends);
    }

    [Fact]
    public async Task Card_is_valid_through_the_last_day_of_its_expiry_month()
    {
        var h = new Harness();
        h.Time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));
        var (session, quote) = await h.QuoteAsync();
        var expiresThisMonth = PaymentMethod.CreditCard("4242 4242 4242 4242", 11, 2026, "123");

        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, expiresThisMonth), Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Single(h.Payments.Charges);
        Assert.False(expiresThisMonth.IsExpiredAt(new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero)));
        Assert.False(expiresThisMonth.IsExpiredAt(new DateTimeOffset(2026, 12, 1, 11, 59, 59, TimeSpan.Zero))); // still Nov 30 somewhere
        Assert.True(expiresThisMonth.IsExpiredAt(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("US")]
    [InlineData("USDX")]
    [InlineData("U$D")]
    [InlineData("")]
    public void Malformed_currency_is_refused(string currency)
    {
        var error = Assert.Throws<DataRenewValidationException>(() => new Money(30m, currency));

        Assert.Equal("currency", error.ParameterName);
        Assert.Contains("ISO 4217", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mixing_currencies_is_refused()
    {
        var error = Assert.Throws<DataRenewValidationException>(() => Money.Usd(30m) + new Money(5m, "EUR"));

        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
        Assert.Contains("EUR", error.Message, StringComparison.Ordinal);
        Assert.Throws<DataRenewValidationException>(() => Money.Usd(30m) < new Money(5m, "eur"));
    }

    [Fact]
    public void Empty_Apple_Pay_token_is_refused()
    {
        var error = Assert.Throws<DataRenewValidationException>(() => PaymentMethod.ApplePay(" "));

        Assert.Equal("paymentToken", error.ParameterName);
        Assert.Equal("Apple Pay", PaymentMethod.ApplePay("opaque-token-xyz").ToString());
    }

    [Fact]
    public async Task Payment_method_the_carrier_does_not_accept_is_refused_before_anything_is_sent()
    {
        var h = new Harness();
        var picky = new RestrictedCarrier(h.Carrier, [PaymentMethodKind.CreditCard, PaymentMethodKind.DebitCard], hasBilling: true);
        var client = new DataRenewClient([picky], h.Journal, Options.Create(new DataRenewOptions()), h.Time, h.Payments);
        var (session, quote) = await h.QuoteAsync(client: client);
        var carrierCalls = h.Carrier.Calls.Count;

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct));

        Assert.Equal("request.PaymentMethod", error.ParameterName);
        Assert.Equal("Picky Mobile does not accept PayPal for renewals; it accepts CreditCard, DebitCard.", error.Reason);
        Assert.Equal(carrierCalls, h.Carrier.Calls.Count);
        Assert.Empty(h.Payments.Calls);
        Assert.Empty(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));

        var billing = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct));
        Assert.Contains("does not accept CarrierBilling", billing.Message, StringComparison.Ordinal);
        Assert.Empty(h.Carrier.BillingGateway.Calls);
    }

    [Fact]
    public async Task Carrier_billing_on_a_carrier_without_billing_is_refused()
    {
        var h = new Harness();
        var noBilling = new RestrictedCarrier(h.Carrier, Enum.GetValues<PaymentMethodKind>(), hasBilling: false);
        var client = new DataRenewClient([noBilling], h.Journal, Options.Create(new DataRenewOptions()), h.Time, h.Payments);
        var (session, quote) = await h.QuoteAsync(client: client);

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct));

        Assert.Equal("Picky Mobile has no carrier billing.", error.Reason);
        Assert.Empty(h.Carrier.BillingGateway.Calls);
        Assert.Empty(h.Payments.Calls);
    }

    [Fact]
    public async Task Card_payment_without_a_registered_gateway_is_refused()
    {
        var h = new Harness();
        var client = new DataRenewClient([h.Carrier], h.Journal, Options.Create(new DataRenewOptions()), h.Time);
        var (session, quote) = await h.QuoteAsync(client: client);

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct));

        Assert.Contains("No payment gateway is registered", error.Message, StringComparison.Ordinal);
        Assert.Empty(await h.Journal.ListUnfinishedAsync(Ct).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task Carrier_billing_charges_the_carriers_own_billing_not_the_card_gateway()
    {
        var h = new Harness();

        var operation = await h.StartAsync(PaymentMethod.CarrierBilling());
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        var charge = Assert.Single(h.Carrier.BillingGateway.Charges);
        Assert.StartsWith("bill_", charge.PaymentId, StringComparison.Ordinal);
        Assert.Equal(charge.PaymentId, final.PaymentId);
        Assert.Equal(Money.Usd(30m), charge.Amount);
        Assert.Equal(1, h.Carrier.BillingGateway.SucceededCharges());
        Assert.Empty(h.Payments.Calls);
        Assert.Equal("Carrier bill", final.Receipt!.Payment.ToString());
        Assert.Single(h.Carrier.SubmittedOrders);
    }

    [Fact]
    public async Task Suspended_line_cannot_be_quoted()
    {
        var h = new Harness();
        var suspended = Iccid.Parse("8914800000000000030");
        h.Carrier.AddAccount("paused", "paused-password", "ACC-2024-000777", "Paused")
            .AddLine(suspended, PhoneNumber.Parse("(202) 555-0100"), SimKind.Physical, FakeCarrierSeed.Plan5Gb, status: LineStatus.Suspended);
        var session = await h.Client.SignInAsync(CarrierId.Fake, new PasswordCredentials("paused", "paused-password"), Ct);
        var line = Assert.Single(await h.Client.GetLinesAsync(session, Ct).ToArrayAsync(Ct));

        var error = await Assert.ThrowsAsync<PlanNotEligibleException>(() => h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct));

        Assert.Contains("suspended", error.Message, StringComparison.Ordinal);
        Assert.Contains("support@fake-mobile.example", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_credentials_are_refused_and_the_password_is_never_shown()
    {
        Assert.Equal("username", Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials(" ", "secret")).ParameterName);
        Assert.Equal("password", Assert.Throws<DataRenewValidationException>(() => new PasswordCredentials("demo", "")).ParameterName);
        Assert.DoesNotContain("s3cret-value", new PasswordCredentials("demo", "s3cret-value").ToString(), StringComparison.Ordinal);
    }

    private static void AssertDoesNotLeak(string number, string message)
    {
        var digits = new string(number.Where(char.IsAsciiDigit).ToArray());
        Assert.DoesNotContain(digits, message, StringComparison.Ordinal);
        Assert.DoesNotContain(number, message, StringComparison.Ordinal);
    }
}
