using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Support;

namespace DataRenew.Sdk.Tests.Renewal;

/// <summary>Step 1 (sign in, both ways) and step 2 (the overview) and step 3 (the options table), on the fake carrier.</summary>
public sealed class SignInAndOverviewTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Password_session_sees_both_lines_of_the_account()
    {
        var h = new Harness();
        var session = await h.SignInAsync();

        var lines = await h.Client.GetLinesAsync(session, Ct).ToArrayAsync(Ct);

        Assert.Equal(FakeCarrierSeed.AccountId, session.Account.AccountId);
        Assert.Equal(CarrierId.Fake, session.Carrier);
        Assert.Null(session.CarrierSession.Subscriber);
        Assert.Equal([FakeCarrierSeed.PhysicalLine, FakeCarrierSeed.ESimLine], lines.Select(l => l.Id));
        Assert.Equal([SimKind.Physical, SimKind.ESim], lines.Select(l => l.SimKind));
        Assert.DoesNotContain(FakeCarrierSeed.Password, session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(session.CarrierSession.RevealToken(), session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_shows_plan_used_and_remaining_data_cycle_end_next_charge_and_when_the_carrier_measured_it()
    {
        var h = new Harness();
        h.Carrier.UsageStaleness = TimeSpan.FromMinutes(20);
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        var overview = await h.Client.GetLineOverviewAsync(session, line, Ct);

        Assert.Equal(line, overview.Line);
        Assert.Equal(FakeCarrierSeed.Plan5Gb, overview.CurrentPlan);
        Assert.Equal(DataAmount.FromGigabytes(3.8m), overview.Usage.Used);
        Assert.Equal(DataAmount.FromGigabytes(5), overview.Usage.Allowance);
        Assert.Equal(DataAmount.FromGigabytes(1.2m), overview.Usage.Remaining);
        Assert.Equal(Harness.Start.AddDays(-24), overview.Usage.CycleStart);
        Assert.Equal(Harness.Start.AddDays(6), overview.Usage.CycleEnd);
        Assert.Equal(Harness.Start.AddDays(6), overview.Usage.NextChargeDate);
        Assert.Equal(Harness.Start.AddMinutes(-20), overview.Usage.AsOf);
        Assert.Equal(0.76, overview.Usage.FractionUsed, 3);
    }

    [Fact]
    public async Task Overview_follows_recorded_usage()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);
        h.Carrier.RecordUsage(line.Id, DataAmount.FromMegabytes(700));

        var overview = await h.Client.GetLineOverviewAsync(session, line, Ct);

        Assert.Equal(DataAmount.FromGigabytes(4.5m), overview.Usage.Used);
        Assert.Equal(DataAmount.FromMegabytes(500), overview.Usage.Remaining);
    }

    [Fact]
    public async Task Options_table_applies_promotions_and_is_sorted_cheapest_first_then_by_data()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);

        var options = await h.Client.GetRenewalOptionsAsync(session, line, Ct);

        Assert.Equal(["FAKE-5GB", "FAKE-10GB", "FAKE-20GB", "FAKE-UNL"], options.Select(o => o.Plan.Code.Value));
        Assert.Equal([Money.Usd(30m), Money.Usd(30m), Money.Usd(55m), Money.Usd(70m)], options.Select(o => o.Price));

        var tenGb = options[1];
        Assert.Equal(Money.Usd(40m), tenGb.Plan.Price);
        Assert.Equal(Money.Usd(10m), tenGb.Savings);
        Assert.Equal("promo-10gb-25", Assert.Single(tenGb.AppliedPromotions).Id);
        Assert.Equal(DataAmount.FromGigabytes(10), tenGb.Data);

        var twentyGb = options[2];
        Assert.Equal(DataAmount.FromGigabytes(25), twentyGb.Data);
        Assert.Equal(Money.Usd(0m), twentyGb.Savings);
        Assert.Equal("promo-20gb-bonus", Assert.Single(twentyGb.AppliedPromotions).Id);

        Assert.Empty(options[0].AppliedPromotions);
        Assert.True(options[3].Data.IsUnlimited);
    }

    [Fact]
    public async Task Options_table_drops_a_promotion_once_it_has_ended()
    {
        var h = new Harness();
        var session = await h.SignInAsync();
        var line = await h.PhysicalLineAsync(session);
        h.Time.Advance(TimeSpan.FromDays(7));

        var options = await h.Client.GetRenewalOptionsAsync(session, line, Ct);

        Assert.Equal(["FAKE-5GB", "FAKE-10GB", "FAKE-20GB", "FAKE-UNL"], options.Select(o => o.Plan.Code.Value));
        Assert.Equal(Money.Usd(40m), options[1].Price);
        Assert.Empty(options[1].AppliedPromotions);
    }

    [Fact]
    public async Task Password_renewal_to_twenty_gigabytes_applies_the_bonus_data_and_resets_the_overview()
    {
        var h = new Harness();
        var (session, quote) = await h.QuoteAsync(FakeCarrierSeed.Plan20Gb.Code);
        Assert.Equal(Money.Usd(55m), quote.Price);
        Assert.Equal(Harness.Start + TimeSpan.FromMinutes(10), quote.ExpiresAt);

        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, Harness.Visa), Ct);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(55m), Assert.Single(h.Payments.Charges).Amount);
        var order = Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(FakeCarrierSeed.Plan20Gb.Code, order.Plan);
        Assert.Equal(final.Receipt!.CarrierOrderId, order.OrderId);
        Assert.Equal("support@fake-mobile.example, 1-800-555-0199", final.Receipt.SupportContact);
        Assert.StartsWith("CNF-", final.Receipt.ConfirmationNumber, StringComparison.Ordinal);

        var line = await h.PhysicalLineAsync(session);
        var overview = await h.Client.GetLineOverviewAsync(session, line, Ct);
        Assert.Equal(FakeCarrierSeed.Plan20Gb.Code, line.CurrentPlan);
        Assert.Equal(FakeCarrierSeed.Plan20Gb, overview.CurrentPlan);
        Assert.Equal(DataAmount.FromGigabytes(25), overview.Usage.Allowance);
        Assert.Equal(DataAmount.Zero, overview.Usage.Used);
        Assert.Equal(final.Receipt.EffectiveAt.AddDays(30), overview.Usage.CycleEnd);
    }

    [Fact]
    public async Task One_time_code_session_sees_only_the_eSIM_line()
    {
        var h = new Harness();

        var challenge = await h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var code = h.Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber);
        Assert.NotNull(code);
        Assert.Equal(FakeCarrierSeed.ESimNumber, challenge.PhoneNumber);
        var session = await h.Client.SignInWithOneTimeCodeAsync(challenge, code, Ct);
        var lines = await h.Client.GetLinesAsync(session, Ct).ToArrayAsync(Ct);

        var line = Assert.Single(lines);
        Assert.Equal(FakeCarrierSeed.ESimLine, line.Id);
        Assert.Equal(SimKind.ESim, line.SimKind);
        Assert.Equal(FakeCarrierSeed.ESimNumber, line.PhoneNumber);
        Assert.Equal(FakeCarrierSeed.ESimNumber, session.CarrierSession.Subscriber);
        Assert.Equal(FakeCarrierSeed.AccountId, session.Account.AccountId);
        Assert.DoesNotContain(code, session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_time_code_session_cannot_read_the_physical_lines_usage()
    {
        var h = new Harness();
        var esimSession = await h.SignInWithCodeAsync();
        var physical = await h.PhysicalLineAsync(await h.SignInAsync());

        var error = await Assert.ThrowsAsync<DataRenewException>(() => h.Client.GetLineOverviewAsync(esimSession, physical, Ct));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("DeviceNotFound", error.CarrierErrorCode);
    }

    [Fact]
    public async Task One_time_code_renewal_of_the_eSIM_with_Alipay_shows_a_QR_code_then_completes()
    {
        var h = new Harness();
        var session = await h.SignInWithCodeAsync();
        var line = Assert.Single(await h.Client.GetLinesAsync(session, Ct).ToArrayAsync(Ct));
        var overview = await h.Client.GetLineOverviewAsync(session, line, Ct);
        Assert.Equal(DataAmount.FromMegabytes(850), overview.Usage.Used);
        Assert.Equal(Harness.Start.AddDays(21), overview.Usage.CycleEnd);
        var quote = await h.Client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan10Gb.Code, Ct);

        var operation = await h.Client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.Alipay()), Ct);

        Assert.Equal(RenewalState.AwaitingPayerAction, operation.State);
        Assert.Equal(new PayerAction(PayerActionKind.QrCode, "https://qr.alipay.example/fake"), operation.PayerAction);
        h.Payments.CompletePayerAction(operation.Current.PaymentId!);
        var final = await h.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, h.Payments.SucceededCharges());
        var order = Assert.Single(h.Carrier.SubmittedOrders);
        Assert.Equal(FakeCarrierSeed.ESimLine, order.Line);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.ESimLine));
        Assert.Equal(FakeCarrierSeed.Plan5Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        Assert.Equal("Alipay", final.Receipt!.Payment.ToString());
    }

    [Fact]
    public async Task Wrong_one_time_code_is_refused_without_locking()
    {
        var h = new Harness();
        var challenge = await h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var wrong = WrongCode(h);

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.Client.SignInWithOneTimeCodeAsync(challenge, wrong, Ct));

        Assert.False(error.IsLocked);
        Assert.Equal("OTP_INVALID", error.CarrierErrorCode);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.VerifyOneTimeCode));

        // The right code still works after one mistake.
        var session = await h.Client.SignInWithOneTimeCodeAsync(challenge, h.Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber)!, Ct);
        Assert.Equal(FakeCarrierSeed.ESimNumber, session.CarrierSession.Subscriber);
    }

    [Fact]
    public async Task Five_wrong_one_time_codes_lock_the_number_even_for_the_right_code()
    {
        var h = new Harness();
        var challenge = await h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var wrong = WrongCode(h);

        var errors = new List<AuthenticationFailedException>();
        for (var i = 0; i < 5; i++)
        {
            errors.Add(await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.Client.SignInWithOneTimeCodeAsync(challenge, wrong, Ct)));
        }

        Assert.Equal([false, false, false, false, true], errors.Select(e => e.IsLocked));
        var right = h.Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber)!;
        var locked = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.Client.SignInWithOneTimeCodeAsync(challenge, right, Ct));
        Assert.True(locked.IsLocked);
        var again = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct));
        Assert.True(again.IsLocked);
    }

    [Fact]
    public async Task One_time_code_that_is_not_digits_is_refused_before_reaching_the_carrier()
    {
        var h = new Harness();
        var challenge = await h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => h.Client.SignInWithOneTimeCodeAsync(challenge, "12a4", Ct));

        Assert.Equal("code", error.ParameterName);
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.VerifyOneTimeCode));
    }

    [Fact]
    public async Task Expired_one_time_code_is_refused()
    {
        var h = new Harness();
        var challenge = await h.Client.RequestOneTimeCodeAsync(CarrierId.Fake, FakeCarrierSeed.ESimNumber, Ct);
        var code = h.Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber)!;
        h.Time.Advance(TimeSpan.FromMinutes(10));

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.Client.SignInWithOneTimeCodeAsync(challenge, code, Ct));

        Assert.Equal("OTP_EXPIRED", error.CarrierErrorCode);
        Assert.False(error.IsLocked);
    }

    [Fact]
    public async Task Wrong_password_is_refused_once_without_a_retry_and_without_echoing_the_password()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
            h.Client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, "not-the-password-42"), Ct));

        Assert.False(error.IsLocked);
        Assert.Equal(401, error.StatusCode);
        Assert.Equal("InvalidCredentials", error.CarrierErrorCode);
        Assert.False(error.IsTransient);
        Assert.DoesNotContain("not-the-password-42", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Carrier.CallCount(FakeCarrierOperation.SignIn));
        Assert.Equal(0, h.Carrier.CallCount(FakeCarrierOperation.GetAccount));
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var h = new Harness();
        for (var i = 1; i <= 5; i++)
        {
            var wrong = await Assert.ThrowsAsync<AuthenticationFailedException>(() =>
                h.Client.SignInAsync(CarrierId.Fake, new PasswordCredentials(FakeCarrierSeed.Username, "wrong"), Ct));
            Assert.Equal(i == 5, wrong.IsLocked); // the fifth wrong password is the one that locks
        }

        var locked = await Assert.ThrowsAsync<AuthenticationFailedException>(() => h.SignInAsync());

        Assert.True(locked.IsLocked);
        Assert.Equal(423, locked.StatusCode);
        Assert.Equal(6, h.Carrier.CallCount(FakeCarrierOperation.SignIn));
    }

    [Fact]
    public async Task Unknown_carrier_is_refused_before_any_call()
    {
        var h = new Harness();

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            h.Client.SignInAsync(new CarrierId("nowhere"), new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct));

        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.Carrier.Calls);
    }

    private static string WrongCode(Harness h) =>
        h.Carrier.LastOneTimeCode(FakeCarrierSeed.ESimNumber) == "000000" ? "999999" : "000000";
}
