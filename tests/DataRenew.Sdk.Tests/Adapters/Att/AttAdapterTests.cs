using System.Net;
using System.Text;
using DataRenew.Sdk.AdapterKit;
using DataRenew.Sdk.Carriers.Att;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>Contract tests of the AT&amp;T-style adapter against its WireMock.Net stub.</summary>
public sealed class AttAdapterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly LineId NotOnTheAccount = new("8914800000000000071");
    private static readonly PlanCode Plan10Gb = new("ATT 10GB");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ExpectedBasic => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AttStub.Username}:{AttStub.ApiKey}"));

    // ---- sign-in and credentials ----

    [Fact]
    public async Task Sign_in_checks_the_credentials_with_one_small_Basic_call_and_keeps_the_key_out_of_the_session()
    {
        await using var world = new AttWorld();

        var session = await world.SignInAsync();

        var call = Assert.Single(world.Requests());
        Assert.Equal("GET", call.Method);
        Assert.EndsWith("/devices", call.Path, StringComparison.Ordinal);
        Assert.Equal("1", call.Query!["pageSize"].Single());
        Assert.Equal(ExpectedBasic, call.Headers!["Authorization"].Single());
        Assert.Equal(AttStub.Username, session.AccountId);
        Assert.DoesNotContain(AttStub.ApiKey, session.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AttStub.ApiKey, session.RevealToken(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_once_with_AuthenticationFailed_and_never_retried()
    {
        await using var world = new AttWorld();

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.SignInAsync(new PasswordCredentials(AttStub.Username, "wrong-key-123"), Ct));

        Assert.Equal("10000001", ex.CarrierErrorCode);
        Assert.Equal(401, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.DoesNotContain("wrong-key-123", ex.ToString(), StringComparison.Ordinal);
        Assert.Single(world.Requests());
    }

    [Fact]
    public async Task Every_call_of_a_session_carries_its_Basic_credentials()
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();
        var line = await world.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct);
        _ = await world.Provider.Usage.GetUsageAsync(session, line!, Ct);
        _ = await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct);

        Assert.Equal(5, world.Requests().Count);
        Assert.All(world.Requests(), r => Assert.Equal(ExpectedBasic, r.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task A_session_the_adapter_did_not_open_is_refused_without_a_call()
    {
        await using var world = new AttWorld();
        var forged = new Providers.CarrierSession(CarrierId.Att, AttStub.Username, "att-guess");

        await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Provider.Accounts.FindLineAsync(forged, AttStub.Line5Gb, Ct));

        Assert.Empty(world.Requests());
    }

    // ---- lines and paging ----

    [Fact]
    public async Task Lines_are_read_page_by_page_until_lastPage_with_modifiedSince_percent_encoded()
    {
        await using var world = new AttWorld(o => o.PageSize = 2);
        var session = await world.SignInAsync();

        var lines = await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct);

        Assert.Equal(6, lines.Count);
        var pages = world.Requests(skip: 1);
        Assert.Equal(["1", "2", "3"], pages.Select(r => r.Query!["pageNumber"].Single()));
        Assert.All(pages, r => Assert.Equal("2", r.Query!["pageSize"].Single()));
        Assert.All(pages, r => Assert.Contains("modifiedSince=2000-01-01T00%3A00%3A00%2B00%3A00", r.RawQuery, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Null(l.PhoneNumber));
        Assert.Equal(LineStatus.Active, lines.Single(l => l.Id == AttStub.Line5Gb).Status);
        Assert.Equal(LineStatus.Inactive, lines.Single(l => l.Id == AttStub.Deactivated).Status);
        Assert.Equal(LineStatus.Inactive, lines.Single(l => l.Id == AttStub.ActivationReady).Status);
        Assert.Equal(new PlanCode("ATT 10GB"), lines.Single(l => l.Id == AttStub.Line10Gb).CurrentPlan);
    }

    [Fact]
    public async Task A_listing_longer_than_MaxPages_stops_with_InvalidCarrierResponse()
    {
        await using var world = new AttWorld(o =>
        {
            o.PageSize = 2;
            o.MaxPages = 2;
        });
        var session = await world.SignInAsync();

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () => await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct));
    }

    [Fact]
    public async Task A_page_without_lastPage_is_an_invalid_answer_not_the_end_of_the_list()
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, """{"devices":[{"iccid":"8914800000000000014","status":"ACTIVATED","ratePlan":"ATT 5GB"}],"pageNumber":1}""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () => await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct));
    }

    [Fact]
    public async Task FindLine_is_one_call_that_reads_the_number_and_null_for_an_unknown_ICCID()
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();

        var line = await world.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct);
        Assert.Equal(2, world.Requests().Count);
        var missing = await world.Provider.Accounts.FindLineAsync(session, NotOnTheAccount, Ct);

        Assert.NotNull(line);
        Assert.Equal(PhoneNumber.Parse("+12025550143"), line.PhoneNumber);
        Assert.Equal(LineStatus.Active, line.Status);
        Assert.Equal(new PlanCode("ATT 5GB"), line.CurrentPlan);
        Assert.Null(missing);
        Assert.Equal(3, world.Requests().Count);
    }

    [Fact]
    public async Task A_device_date_not_in_Control_Center_format_is_an_invalid_answer()
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, """{"iccid":"8914800000000000014","status":"ACTIVATED","ratePlan":"ATT 5GB","dateActivated":"2026-01-02T03:04:05Z"}""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct));
    }

    [Theory]
    [InlineData("2026-01-02 03:04:05.678+0000", 0)]
    [InlineData("2026-01-02 03:04:05.678-0500", -300)]
    [InlineData("2026-01-02 03:04:05.678+0530", 330)]
    public void Control_Center_dates_parse_exactly_with_their_colonless_offset(string text, int offsetMinutes)
    {
        Assert.True(AttDates.TryParse(text, out var parsed));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromMinutes(offsetMinutes)), parsed);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), parsed.Offset);
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05Z")]
    [InlineData("2026-01-02 03:04:05.678+00:00")]
    [InlineData("2026-01-02 03:04:05+0000")]
    [InlineData("02/01/2026 03:04:05.678+0000")]
    public void Other_date_formats_are_refused(string text) => Assert.False(AttDates.TryParse(text, out _));

    [Theory]
    [InlineData("ACTIVATED", LineStatus.Active)]
    [InlineData("DEACTIVATED", LineStatus.Inactive)]
    [InlineData("RETIRED", LineStatus.Inactive)]
    [InlineData("PURGED", LineStatus.Inactive)]
    [InlineData("REPLACED", LineStatus.Inactive)]
    [InlineData("ACTIVATION_READY", LineStatus.Inactive)]
    [InlineData("INVENTORY", LineStatus.Inactive)]
    [InlineData("TEST_READY", LineStatus.Inactive)]
    [InlineData("SOMETHING_NEW", LineStatus.Unknown)]
    public void Device_statuses_map_to_line_statuses(string status, LineStatus expected) => Assert.Equal(expected, AttCarrier.StatusOf(status));

    // ---- units ----

    [Fact]
    public async Task Rate_plans_are_binary_megabytes_with_decimal_string_prices()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();

        var plans = await world.Provider.Catalog.GetPlansAsync(session, line, Ct);

        var five = plans.Single(p => p.Code == new PlanCode("ATT 5GB"));
        Assert.Equal(5L * 1024 * 1024 * 1024, five.Data.Bytes);
        Assert.Equal(Money.Usd(30.00m), five.Price);
        Assert.Equal(30, five.ValidityDays);
        Assert.Equal(10_737_418_240L, plans.Single(p => p.Code == Plan10Gb).Data.Bytes);
        Assert.Equal(Money.Usd(45.50m), plans.Single(p => p.Code == Plan10Gb).Price);
        Assert.True(plans.Single(p => p.Code == new PlanCode("ATT Unlimited")).Data.IsUnlimited);
        Assert.Empty(await world.Provider.Catalog.GetPromotionsAsync(session, line, Ct));
    }

    [Fact]
    public async Task Usage_is_cycle_to_date_bytes_and_remaining_is_the_plan_allowance_less_that_in_the_calendar_month()
    {
        var time = new FakeTimeProvider(Now);
        await using var world = new AttWorld(time: time);
        var (session, line) = await world.SignInToLineAsync();

        var usage = await world.Provider.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(AttStub.Line5GbUsedBytes, usage.Used.Bytes);
        Assert.Equal(5_368_709_120L, usage.Allowance.Bytes);
        Assert.Equal(5_368_709_120L - AttStub.Line5GbUsedBytes, usage.Remaining.Bytes);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), usage.CycleStart);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), usage.CycleEnd);
        Assert.Equal(Now, usage.AsOf);
    }

    [Theory]
    [InlineData(""" "ratePlan":" ATT 5GB " """)]
    [InlineData(""" "ratePlan":"ATT\u00075GB" """)]
    [InlineData(""" "ratePlan":"" """)]
    public async Task A_usage_answer_whose_rate_plan_is_no_plan_code_is_measured_against_the_lines_plan(string ratePlan)
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, $$"""{"iccid":"8914800000000000014",{{ratePlan}},"ctdDataUsage":1000}""");

        var usage = await world.Provider.Usage.GetUsageAsync(session, line, Ct);

        Assert.Equal(1000, usage.Used.Bytes);
        Assert.Equal(5120L * 1024 * 1024, usage.Allowance.Bytes);
    }

    [Fact]
    public async Task A_usage_answer_for_another_device_is_an_invalid_answer_not_this_lines_usage()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, """{"iccid":"8914800000000000022","ratePlan":"ATT 5GB","ctdDataUsage":5}""");

        var error = await Record.ExceptionAsync(() => world.Provider.Usage.GetUsageAsync(session, line, Ct));

        Assert.IsType<InvalidCarrierResponseException>(error);
    }

    [Fact]
    public async Task A_listing_that_answers_another_page_than_the_one_asked_for_stops_with_InvalidCarrierResponse_instead_of_repeating_lines()
    {
        await using var world = new AttWorld(o => o.PageSize = 2);
        var session = await world.SignInAsync();
        var firstPage = """{"pageNumber":1,"lastPage":false,"devices":[{"iccid":"8914800000000000014","status":"ACTIVATED","ratePlan":"ATT 5GB"},{"iccid":"8914800000000000022","status":"ACTIVATED","ratePlan":"ATT 1GB"}]}""";
        world.Stub.RespondNext(HttpStatusCode.OK, firstPage, times: 2);

        var seen = new List<Line>();
        var error = await Record.ExceptionAsync(async () =>
        {
            await foreach (var line in world.Provider.Accounts.GetLinesAsync(session, Ct).Lines())
            {
                seen.Add(line);
            }
        });

        Assert.IsType<InvalidCarrierResponseException>(error);
        Assert.Equal(seen.Count, seen.Select(l => l.Id).Distinct().Count());
    }

    [Fact]
    public async Task A_rate_plan_the_SDK_cannot_sell_is_left_out_and_reported_once_while_the_others_stand()
    {
        await using var world = new AttWorld(services: s => s.AddFakeLogging());
        var (session, line) = await world.SignInToLineAsync();
        const string Catalog = """{"ratePlans":[{"name":"ATT 5GB","dataAllowanceMb":-5,"priceUsd":"30.00","validityDays":30},{"name":"ATT 2GB","dataAllowanceMb":2048,"priceUsd":"15.00","validityDays":30},{"name":"ATT NOPRICE","dataAllowanceMb":1,"validityDays":30},null]}""";
        world.Stub.RespondNext(HttpStatusCode.OK, Catalog, times: 2);

        var plans = await world.Provider.Catalog.GetPlansAsync(session, line, Ct);
        var again = await world.Provider.Catalog.GetPlansAsync(session, line, Ct);

        Assert.Equal(["ATT 2GB"], plans.Select(p => p.Code.Value));
        Assert.Equal(plans, again);
        var skipped = world.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Id == 3001).Select(r => r.Message).ToArray();
        Assert.Equal(3, skipped.Length); // once each, not once per read
        Assert.Contains(skipped, m => m.Contains("ATT 5GB", StringComparison.Ordinal));
        Assert.Contains(skipped, m => m.Contains("ATT NOPRICE", StringComparison.Ordinal) && m.Contains("priceUsd", StringComparison.Ordinal));
    }

    // ---- renewals through the provider-neutral API ----

    [Fact]
    public async Task A_plan_change_applied_at_once_completes_the_renewal_with_one_PUT()
    {
        await using var world = new AttWorld();
        world.Stub.ScheduleOrders = false;

        var final = await world.RenewAsync(AttStub.Line5Gb, Plan10Gb);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal("att-" + final.OrderIdempotencyKey, final.Receipt!.CarrierOrderId);
        Assert.Equal(Money.Usd(45.50m), final.Receipt.Amount);
        Assert.Equal(1, world.Stub.OrdersReceived);
        var put = world.Requests().Single(r => r.Method == "PUT");
        Assert.EndsWith("/devices/" + AttStub.Line5Gb.Value, put.Path, StringComparison.Ordinal);
        Assert.Matches("""^\{"ratePlan":"ATT 10GB","effectiveDate":"\d{4}-\d{2}-\d{2}Z"\}$""", put.Body);
        Assert.Equal("ATT 10GB", world.Stub.PlanOf(AttStub.Line5Gb));
        Assert.Equal(0, ((DataRenew.Sdk.Carriers.Att.AttCarrier)world.Provider).OrdersRemembered);
    }

    [Fact]
    public async Task A_scheduled_plan_change_is_confirmed_by_reading_the_device_until_it_shows_the_plan()
    {
        await using var world = new AttWorld();
        world.Stub.ScheduledReads = 3;

        var final = await world.RenewAsync(AttStub.Line5Gb, Plan10Gb);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, world.Stub.OrdersReceived);
        var afterPut = world.Requests().SkipWhile(r => r.Method != "PUT").Skip(1).ToArray();
        Assert.True(afterPut.Count(r => r.Method == "GET" && r.Path.EndsWith(AttStub.Line5Gb.Value, StringComparison.Ordinal)) >= 4);

        // Confirmed, so forgotten: a long-running process does not keep every renewal's order.
        Assert.Equal(0, ((DataRenew.Sdk.Carriers.Att.AttCarrier)world.Provider).OrdersRemembered);
    }

    [Fact]
    public async Task A_refused_plan_change_ends_the_renewal_Failed_with_the_carrier_code_and_the_account_charge_reversed()
    {
        await using var world = new AttWorld();
        world.Stub.FailNextOrder();

        var final = await world.RenewAsync(AttStub.Line5Gb, Plan10Gb);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal("10000024", final.Failure!.Code);
        Assert.DoesNotContain("8914800000000000014", final.Failure.Message, StringComparison.Ordinal);
        Assert.NotNull(final.RefundId);
        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.Equal("ATT 5GB", world.Stub.PlanOf(AttStub.Line5Gb));
    }

    [Fact]
    public async Task Submitting_one_renewal_twice_sends_one_plan_change()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == Plan10Gb);
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);

        var first = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        var second = await world.Provider.Orders.SubmitAsync(session, request, Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.Equal(first.OrderId, (await world.Provider.Orders.FindByRenewalAsync(session, request, Ct))?.OrderId);
    }

    [Fact]
    public async Task A_plan_change_applied_at_once_is_not_sent_again_and_is_still_found_by_its_renewal()
    {
        // 200: applied and forgotten as a live order, yet the same renewal submitted again (or looked up because the
        // engine's journal write of "Completed" was lost) must not PUT again or be reported as never sent.
        await using var world = new AttWorld();
        world.Stub.ScheduleOrders = false;
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == line.CurrentPlan); // a renewal of the plan it has
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);

        var first = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        Assert.Equal(Providers.CarrierOrderStatus.Completed, first.Status);
        Assert.Equal(0, ((DataRenew.Sdk.Carriers.Att.AttCarrier)world.Provider).OrdersRemembered);

        var found = await world.Provider.Orders.FindByRenewalAsync(session, request, Ct);
        var second = await world.Provider.Orders.SubmitAsync(session, request, Ct);

        Assert.Equal(first.OrderId, found?.OrderId);
        Assert.Equal(Providers.CarrierOrderStatus.Completed, found!.Status);
        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_process_that_did_not_send_the_plan_change_confirms_and_finds_it_from_the_journaled_order()
    {
        await using var first = new AttWorld();
        var session = await first.SignInAsync();
        var line = (await first.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct))!;
        var plans = await first.Provider.Catalog.GetPlansAsync(session, line, Ct);
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plans.Single(p => p.Code == Plan10Gb), plans.Single(p => p.Code == Plan10Gb).Price, PaymentMethod.CarrierBilling().Summary, null);
        var pending = await first.Provider.Orders.SubmitAsync(session, request, Ct);
        Assert.Equal(Providers.CarrierOrderStatus.Pending, pending.Status); // 202: scheduled, confirmed by reading the device

        // The next process: the same carrier, no memory of the order. Without the journaled order it cannot tell.
        await using var next = new AttWorld(stub: first.Stub);
        var nextSession = await next.SignInAsync();

        // Told what was ordered, it reads the device (the stub applies a scheduled change on the second read), as polls do:
        // confirmed, and found by renewal, with the order id the sender gave it.
        var confirmed = pending;
        for (var poll = 0; poll < 3 && confirmed.Status == Providers.CarrierOrderStatus.Pending; poll++)
        {
            confirmed = await next.Provider.Orders.GetAsync(nextSession, pending, request, Ct);
        }

        Assert.Equal(Providers.CarrierOrderStatus.Completed, confirmed.Status);
        Assert.Equal(pending.OrderId, (await next.Provider.Orders.FindByRenewalAsync(nextSession, request, Ct))?.OrderId);

        // A renewal that ordered what the line does not have is not found; nothing was sent twice.
        var other = request with { RenewalId = RenewalId.New(), Plan = plans.Single(p => p.Code == new PlanCode("ATT 1GB")) };
        Assert.Null(await next.Provider.Orders.FindByRenewalAsync(nextSession, other, Ct));
        Assert.Equal(1, first.Stub.OrdersReceived);
    }

    [Theory]
    [InlineData("<html><body>Service temporarily moved</body></html>", "text/html")]
    [InlineData("""{"iccid":"8914800000000000022"}""", "application/json")]
    [InlineData("""{"iccid":"89148000000""", "application/json")]
    public async Task A_plan_change_answered_200_with_a_body_that_is_not_this_devices_confirmation_is_not_claimed_applied(string body, string contentType)
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == Plan10Gb);
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);
        world.Stub.RespondNext(HttpStatusCode.OK, body, contentType);

        // The PUT reached the carrier but its answer is not the carrier's "applied": the outcome is unknown, not Completed.
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => world.Provider.Orders.SubmitAsync(session, request, Ct));

        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.Equal("ATT 5GB", world.Stub.PlanOf(AttStub.Line5Gb));
        Assert.Null(await world.Provider.Orders.FindByRenewalAsync(session, request, Ct));
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_whose_answer_times_out_is_not_sent_again_and_the_renewal_is_settled_by_reading_the_device()
    {
        var time = new FakeTimeProvider(Now);
        await using var world = new AttWorld(o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
        }, time);
        world.Stub.ScheduleOrders = false;
        var client = world.Client;
        var session = await world.ClientSignInAsync();
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == AttStub.Line5Gb, Ct);
        var quote = await client.CreateQuoteAsync(session, line, Plan10Gb, Ct);
        var block = world.Stub.BlockNextOrder();

        var starting = client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        await block.Received.Task.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(6));
        var operation = await starting;
        block.Release.Set();
        await block.Done.Task.WaitAsync(Ct);

        Assert.False(operation.HasCompleted);
        var looked = await client.ResumeRenewalAsync(session, operation.Id, Ct);
        Assert.False(looked.HasCompleted);
        time.Advance(TimeSpan.FromMinutes(6));
        // A guard against a hang (a renewal left waiting on the frozen clock), not a timing assertion.
        var final = await looked.WaitForCompletionAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Ct);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_whose_answer_times_out_and_that_the_device_never_shows_is_handed_to_a_person_not_sent_again()
    {
        var time = new FakeTimeProvider(Now);
        await using var world = new AttWorld(
            o =>
            {
                o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(5);
                o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
            },
            time,
            renewal: o => (o.ConfirmationTimeout, o.LeaseDuration) = (TimeSpan.FromSeconds(21), TimeSpan.FromSeconds(20)));
        world.Stub.ScheduleOrders = false;
        var client = world.Client;
        var session = await world.ClientSignInAsync();
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == AttStub.Line5Gb, Ct);
        var quote = await client.CreateQuoteAsync(session, line, Plan10Gb, Ct);
        var block = world.Stub.BlockNextOrder(apply: false);

        var starting = client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        await block.Received.Task.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(6));
        var operation = await starting;
        block.Release.Set();
        await block.Done.Task.WaitAsync(Ct);
        var looked = await client.ResumeRenewalAsync(session, operation.Id, Ct);
        time.Advance(TimeSpan.FromMinutes(6));

        // The engine now looks at the device until the confirmation deadline. The clock moves only while no call is on the
        // wire, so a read is never timed out by the test's clock steps.
        var waiting = looked.WaitForCompletionAsync(Ct);
        for (var i = 0; i < 1_000_000 && !waiting.IsCompleted; i++)
        {
            if (world.ClientInFlight == 0)
            {
                time.Advance(TimeSpan.FromMilliseconds(5));
            }

            await Task.Run(static () => { }, Ct);
        }

        var final = await waiting.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Ct);
        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final.Failure!.Kind);
        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.Equal("ATT 5GB", world.Stub.PlanOf(AttStub.Line5Gb));
    }

    // ---- throttling and one call in flight ----

    [Fact]
    public async Task Calls_made_at_once_reach_the_carrier_one_at_a_time()
    {
        await using var world = new AttWorld(o => o.PageSize = 2);
        var session = await world.SignInAsync();
        var lines = await world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct);
        var before = world.Requests().Count;
        using var hold = new SemaphoreSlim(0);
        world.Stub.Hold = hold;

        var work = Task.WhenAll(
            world.Provider.Usage.GetUsageAsync(session, lines.Single(l => l.Id == AttStub.Line5Gb), Ct),
            world.Provider.Usage.GetUsageAsync(session, lines.Single(l => l.Id == AttStub.Line1Gb), Ct),
            world.Provider.Usage.GetUsageAsync(session, lines.Single(l => l.Id == AttStub.Line10Gb), Ct),
            world.Provider.Accounts.GetLinesAsync(session, Ct).Lines().ToListAsync(Ct).AsTask());
        while (!work.IsCompleted)
        {
            var arrival = world.Stub.Arrivals.Reader.ReadAsync(Ct).AsTask();
            if (await Task.WhenAny(arrival, work) == arrival)
            {
                hold.Release();
            }
        }

        await work;
        Assert.Equal(0, world.Stub.ThrottledOverlaps);
        Assert.Equal(1, world.Stub.MaxInFlight);
        Assert.Equal((3 * 2) + 3, world.Requests().Count - before);
    }

    [Fact]
    public async Task A_429_without_RetryAfter_on_a_read_is_retried_with_backoff()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.ThrottleNext(2);

        var plans = await world.Provider.Catalog.GetPlansAsync(session, line, Ct);

        Assert.NotEmpty(plans);
        Assert.Equal(3, world.Requests(skip: 2).Count);
    }

    [Fact]
    public async Task A_429_that_persists_surfaces_as_RateLimited_without_RetryAfter()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.ThrottleNext(20);

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal("10000005", ex.CarrierErrorCode);
        Assert.Null(ex.RetryAfter);
        Assert.True(ex.IsTransient);
        Assert.Equal(1 + new CarrierResilienceOptions().MaxThrottledRetries, world.Requests(skip: 2).Count);
    }

    [Fact]
    public async Task A_429_with_a_long_RetryAfter_is_handed_to_the_caller_with_it_instead_of_waited_out()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.RespondNext(HttpStatusCode.TooManyRequests, """{"errorMessage":"Rate limit exceeded","errorCode":"10000005"}""", header: ("Retry-After", "120"));

        var ex = await Assert.ThrowsAsync<RateLimitedException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Single(world.Requests(skip: 2));
    }

    [Fact]
    public async Task Two_processes_on_one_account_overlap_are_throttled_and_wait_it_out_so_no_call_fails()
    {
        // The carrier allows one call in flight per account, counted by the carrier: an app and a settling process each
        // keep to one, and overlap each other. Each overlap is a 429 without Retry-After, waited out with jittered backoff.
        await using var app = new AttWorld(o => o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(20));
        await using var settler = new AttWorld(o => o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(20), stub: app.Stub);
        var sessions = new[] { await app.SignInAsync(), await settler.SignInAsync() };
        var worlds = new[] { app, settler };
        using var hold = new SemaphoreSlim(0);
        app.Stub.Hold = hold;

        var reads = Enumerable.Range(0, 60).Select(i => worlds[i % 2].Provider.Accounts.FindLineAsync(sessions[i % 2], AttStub.Line5Gb, Ct)).ToArray();
        await app.Stub.Arrivals.Reader.ReadAsync(Ct); // one process's call is at the carrier; the other's overlaps it
        Assert.True(SpinWait.SpinUntil(() => app.Stub.ThrottledOverlaps > 0, TimeSpan.FromSeconds(10)), "The two processes never overlapped.");
        app.Stub.Hold = null;
        hold.Release(reads.Length);
        var lines = await Task.WhenAll(reads);

        Assert.All(lines, l => Assert.Equal(AttStub.Line5Gb, l?.Id));
    }

    [Fact]
    public async Task A_throttled_plan_change_is_sent_again_after_the_wait_and_taken_once()
    {
        // A 429 is the carrier refusing before it acts: even a write it would run twice may go again.
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == Plan10Gb);
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);
        world.Stub.ThrottleNext(2);

        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);

        Assert.Equal(3, world.Stub.OrdersReceived);
        Assert.Equal("att-" + request.RenewalId.Value, order.OrderId);
    }

    [Fact]
    public async Task A_plan_change_throttled_past_the_budget_surfaces_as_RateLimited_and_may_be_ordered_again()
    {
        await using var world = new AttWorld(o => o.Resilience.MaxThrottledRetries = 1);
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == Plan10Gb);
        var request = new Providers.CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);
        world.Stub.ThrottleNext(2);

        await Assert.ThrowsAsync<RateLimitedException>(() => world.Provider.Orders.SubmitAsync(session, request, Ct));
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);

        Assert.Equal(3, world.Stub.OrdersReceived);
        Assert.Equal("att-" + request.RenewalId.Value, order.OrderId);
    }

    // ---- error shapes ----

    public static TheoryData<int, string, string, string, string?> ErrorShapes => new()
    {
        { 400, """{"errorMessage":"Invalid rate plan","errorCode":"10000024"}""", "application/json", nameof(CarrierRejectedException), "10000024" },
        { 400, """{"errorMessage":"Bad request"}""", "application/json", nameof(CarrierRejectedException), null },
        { 400, """{"errorCode":10000024,"errorMessage":"numeric code","extra":{"a":1}}""", "application/json", nameof(CarrierRejectedException), "10000024" },
        { 400, """{"errorMessage":"Rate limit exceeded","errorCode":"10000005"}""", "application/json", nameof(RateLimitedException), "10000005" },
        { 401, """{"errorMessage":"Invalid credentials","errorCode":"10000001"}""", "application/json", nameof(AuthenticationFailedException), "10000001" },
        { 404, """{"errorMessage":"Resource not found","errorCode":"10000004"}""", "application/json", nameof(CarrierRejectedException), "10000004" },
        { 500, """{"errorMessage":"Internal server error","errorCode":"10000000"}""", "application/json", nameof(CarrierUnavailableException), "10000000" },
        { 502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "text/html", nameof(CarrierUnavailableException), null },
        { 403, """<?xml version="1.0"?><fault><faultstring>Forbidden</faultstring></fault>""", "application/xml", nameof(CarrierRejectedException), null },
        { 503, "", "application/json", nameof(CarrierUnavailableException), null },
        { 400, """{"errorMessage":"Invalid""", "application/json", nameof(CarrierRejectedException), null },
    };

    [Theory]
    [MemberData(nameof(ErrorShapes))]
    public async Task Each_error_shape_maps_to_its_typed_error(int status, string body, string contentType, string expected, string? code)
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.RespondNext((HttpStatusCode)status, body.Length == 0 ? null : body, contentType, times: 10);

        var ex = await Assert.ThrowsAnyAsync<DataRenewException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(expected, ex.GetType().Name);
        Assert.Equal(code, ex.CarrierErrorCode);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(CarrierId.Att, ex.Carrier);
        if (code is not null)
        {
            Assert.Contains(code, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_error_message_is_sanitised_before_it_reaches_the_exception()
    {
        await using var world = new AttWorld();
        var session = await world.SignInAsync();
        world.Stub.RespondNext(HttpStatusCode.BadRequest, """{"errorMessage":"Device 12025550143 is not eligible","errorCode":"10000024"}""");

        var ex = await Assert.ThrowsAsync<CarrierRejectedException>(() => world.Provider.Accounts.FindLineAsync(session, AttStub.Line5Gb, Ct));

        Assert.DoesNotContain("12025550143", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not eligible", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_JSON_on_a_read_is_an_InvalidCarrierResponse()
    {
        await using var world = new AttWorld();
        var (session, line) = await world.SignInToLineAsync();
        world.Stub.RespondNext(HttpStatusCode.OK, """{"ratePlans":[{"name":"ATT 5GB","dataAllow""");

        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));
        world.Stub.RespondNext(HttpStatusCode.OK, """{"iccid":"8914800000000000014","ctdDataUsage":"lots"}""");
        await Assert.ThrowsAsync<InvalidCarrierResponseException>(() => world.Provider.Usage.GetUsageAsync(session, line, Ct));
    }

    // ---- options and registration ----

    [Fact]
    public void The_options_default_to_one_call_in_flight_and_refuse_no_limit_a_page_over_50_and_plain_http_elsewhere()
    {
        Assert.Equal(1, new AttOptions().Resilience.MaxConcurrentCalls);

        var bad = new AttOptions { BaseAddress = new Uri("http://restapi.example/rws/api/v1"), AllowPlainHttpOnLoopback = true, PageSize = 51 };
        bad.Resilience.MaxConcurrentCalls = null;
        var problems = bad.Validate(TimeSpan.FromMinutes(5)).ToArray();

        Assert.Contains(problems, p => p.Contains("MaxConcurrentCalls", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("PageSize", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("https", StringComparison.Ordinal));
        Assert.Empty(new AttOptions { BaseAddress = new Uri("https://restapi.example/rws/api/v1") }.Validate(TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void The_options_bind_from_configuration_and_are_validated()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataRenew:Att:BaseAddress"] = "https://restapi.example/rws/api/v1",
            ["DataRenew:Att:PageSize"] = "20",
            ["DataRenew:Att:Resilience:MaxConcurrentCalls"] = "2",
        }).Build();
        var services = new ServiceCollection();
        services.AddDataRenew().AddAtt(config.GetSection("DataRenew:Att"), o => o.SupportContact = "noc@example.com");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AttOptions>>().Value;

        Assert.Equal(new Uri("https://restapi.example/rws/api/v1"), options.BaseAddress);
        Assert.Equal(20, options.PageSize);
        Assert.Equal(2, options.Resilience.MaxConcurrentCalls);
        Assert.Equal("noc@example.com", options.SupportContact);

        var invalid = new ServiceCollection();
        invalid.AddDataRenew().AddAtt(o => o.BaseAddress = new Uri("http://restapi.example"));
        using var invalidProvider = invalid.BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => invalidProvider.GetRequiredService<IOptions<AttOptions>>().Value);
    }

    [Fact]
    public void The_descriptor_says_bill_to_account_no_idempotency_key_and_both_confirmations()
    {
        var services = new ServiceCollection();
        services.AddDataRenew().AddAtt(o => o.BaseAddress = new Uri("https://restapi.example/rws/api/v1"));
        using var provider = services.BuildServiceProvider();

        var descriptor = provider.GetRequiredService<Providers.ICarrierProvider>().Descriptor;

        Assert.Equal(CarrierId.Att, descriptor.Id);
        Assert.False(descriptor.DeduplicatesOrders);
        Assert.False(descriptor.CollectsPayment);
        Assert.Equal([PaymentMethodKind.CarrierBilling], descriptor.AcceptedPayments);
        Assert.Equal(Providers.ConfirmationModes.Synchronous | Providers.ConfirmationModes.Polling, descriptor.Confirmation);
        Assert.Equal(Providers.SignInMethods.Password, descriptor.SignInMethods);
    }

    // ---- secrets ----

    [Fact]
    public async Task No_log_or_error_carries_the_api_key_or_the_Basic_header()
    {
        await using var world = new AttWorld(services: s => s.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)));
        var seen = new List<string>();
        seen.Add((await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.Client.SignInAsync(CarrierId.Att, new PasswordCredentials(AttStub.Username, AttStub.ApiKey + "x"), Ct))).ToString());
        world.Stub.FailNextOrder();
        var final = await world.RenewAsync(AttStub.Line5Gb, Plan10Gb);
        seen.Add(final.ToString());
        seen.Add(final.Failure!.Message);
        seen.AddRange(world.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + string.Join(" ", r.StructuredState?.Select(kv => kv.Value) ?? [])));

        var basic = ExpectedBasic["Basic ".Length..];
        Assert.All(seen, text =>
        {
            Assert.DoesNotContain(AttStub.ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(basic, text, StringComparison.Ordinal);
        });
        Assert.NotEmpty(seen);
    }

    [Fact]
    public async Task A_credentials_refusal_that_echoes_the_api_key_does_not_carry_it_into_the_exception()
    {
        await using var world = new AttWorld();
        world.Stub.RespondNext(HttpStatusCode.Unauthorized, $$"""{"errorMessage":"Invalid credentials {{AttStub.Username}}:{{AttStub.ApiKey}}","errorCode":"10000001"}""");

        var ex = await Assert.ThrowsAsync<AuthenticationFailedException>(() => world.SignInAsync());

        Assert.Equal("10000001", ex.CarrierErrorCode);
        Assert.DoesNotContain(AttStub.ApiKey, ex.ToString(), StringComparison.Ordinal);
    }
}
