using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>Renewal as a TMF654 top-up: Idempotency-Key, the payment inside, polling, payer actions, error shapes, throttling, timeouts.</summary>
public sealed class TMobileOrderTests
{
    private static readonly PaymentMethod Card = PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_descriptor_says_the_carrier_deduplicates_collects_payment_and_is_polled()
    {
        await using var world = new TMobileWorld();
        var descriptor = world.Provider.Descriptor;

        Assert.True(descriptor.DeduplicatesOrders);
        Assert.True(descriptor.CollectsPayment);
        Assert.True(descriptor.SupportsESim);
        Assert.Equal(ConfirmationModes.Polling | ConfirmationModes.Callback, descriptor.Confirmation);
        Assert.Equal(
            [PaymentMethodKind.CreditCard, PaymentMethodKind.DebitCard, PaymentMethodKind.ApplePay, PaymentMethodKind.PayPal, PaymentMethodKind.Alipay, PaymentMethodKind.WeChatPay, PaymentMethodKind.CarrierBilling],
            descriptor.AcceptedPayments);
    }

    [Fact]
    public async Task A_top_up_carries_the_renewal_id_as_Idempotency_Key_and_the_card_token_then_completes_when_polled()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var request = Order(line, Card);

        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        var done = await world.Provider.Orders.GetAsync(session, order, request, Ct);

        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        Assert.Equal(CarrierOrderStatus.Completed, done.Status);
        Assert.Equal(order.OrderId, done.OrderId);
        Assert.NotNull(done.EffectiveAt);
        var sent = Assert.Single(world.Stub.OrderRequests).RequestMessage!;
        Assert.Equal(request.IdempotencyKey, sent.Headers!["Idempotency-Key"][0]);
        Assert.Equal(
            """{"bucket":{"id":"b-1"},"product":[{"id":"tm-10gb-30d"}],"amount":{"amount":40.00,"units":"USD"},"paymentMethod":{"type":"card","token":"tok_visa_4242"},"logicalResource":[{"value":"+12025550143"}],"channel":{"name":"DataRenew.Sdk"}}""",
            Encoding.UTF8.GetString(sent.BodyAsBytes!));
        Assert.Equal(done, await world.Provider.Orders.FindByRenewalAsync(session, request, Ct) is { } found ? found with { EffectiveAt = done.EffectiveAt } : null);
        Assert.Null(await world.Provider.Orders.FindByRenewalAsync(session, Order(line, Card), Ct));
    }

    [Fact]
    public async Task Submitting_the_same_renewal_again_sends_the_same_bytes_and_the_carrier_replays_the_same_top_up()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var request = Order(line, Card);

        var first = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        var second = await world.Provider.Orders.SubmitAsync(session, request, Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        var bodies = world.Stub.OrderRequests.Select(e => Convert.ToBase64String(e.RequestMessage!.BodyAsBytes!)).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.Single(bodies.Distinct());
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_top_up_answered_503_is_retried_by_the_kit_with_the_same_body_and_a_fresh_PoP_and_makes_one_top_up()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        world.Stub.RespondNext("POST", "/topupBalance", 503, string.Empty);

        var order = await world.Provider.Orders.SubmitAsync(session, Order(line, Card), Ct);

        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        var requests = world.Stub.OrderRequests.Select(e => e.RequestMessage!).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Body, requests[1].Body);
        Assert.NotEqual(requests[0].Headers!["X-Authorization"][0], requests[1].Headers!["X-Authorization"][0]);
        Assert.Equal(1, world.Stub.OrdersReceived);
        Assert.Empty(world.Stub.PopRefusals);
    }

    [Fact]
    public async Task A_status_answer_for_another_top_up_is_not_taken_as_this_orders_completion()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var request = Order(line, Card);
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        world.Stub.RespondNext("GET", "/topupBalance/" + order.OrderId, 200, """{"id":"tu-someone-else","status":"completed","confirmationDate":"2026-11-27T10:00:00Z"}""");

        var error = await Record.ExceptionAsync(() => world.Provider.Orders.GetAsync(session, order, request, Ct));

        Assert.IsType<InvalidCarrierResponseException>(error);
        Assert.True(((DataRenewException)error).IsTransient);
    }

    [Fact]
    public async Task A_raw_card_number_is_refused_before_any_call()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var before = world.Stub.Server.LogEntries.Count;

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() =>
            world.Provider.Orders.SubmitAsync(session, Order(line, PaymentMethod.CreditCard("4242424242424242", 12, 2030, "123")), Ct));

        Assert.Contains("token", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("4242424242424242", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, world.Stub.Server.LogEntries.Count);
    }

    [Theory]
    [InlineData("applePay")]
    [InlineData("paypal")]
    [InlineData("alipay")]
    [InlineData("wechatPay")]
    [InlineData("billToAccount")]
    public async Task Each_payment_method_travels_as_its_TMF_type(string type)
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var method = type switch
        {
            "applePay" => PaymentMethod.ApplePay("apple-pay-token"),
            "paypal" => PaymentMethod.PayPal(),
            "alipay" => PaymentMethod.Alipay(),
            "wechatPay" => PaymentMethod.WeChatPay(),
            _ => PaymentMethod.CarrierBilling(),
        };

        await world.Provider.Orders.SubmitAsync(session, Order(line, method), Ct);

        var payment = JsonNode.Parse(world.Stub.OrderRequests.Single().RequestMessage!.Body!)!["paymentMethod"]!;
        Assert.Equal(type, (string?)payment["type"]);
        Assert.Equal(type == "applePay" ? "apple-pay-token" : null, (string?)payment["token"]);
    }

    [Theory]
    [InlineData("paypal", PayerActionKind.Redirect)]
    [InlineData("alipay", PayerActionKind.QrCode)]
    public async Task A_wallet_payment_comes_back_pending_with_the_payer_action_then_completes(string wallet, PayerActionKind kind)
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);

        var request = Order(line, wallet == "paypal" ? PaymentMethod.PayPal() : PaymentMethod.Alipay());
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        var pending = await world.Provider.Orders.GetAsync(session, order, request, Ct);
        var done = await world.Provider.Orders.GetAsync(session, order, request, Ct);

        Assert.Equal(CarrierOrderStatus.Pending, pending.Status);
        Assert.Equal(kind, pending.PayerAction?.Kind);
        Assert.StartsWith("https://pay.example/approve/", pending.PayerAction?.Payload, StringComparison.Ordinal);
        Assert.Equal(CarrierOrderStatus.Completed, done.Status);
    }

    [Fact]
    public async Task A_PayPal_renewal_through_the_client_awaits_the_payer_then_completes()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        var states = new ConcurrentQueue<RenewalRecord>();

        var renewal = await world.Client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.PayPal()), Ct);
        var final = await renewal.WaitForCompletionAsync(new Collect(states), Ct);

        Assert.Equal(RenewalState.Completed, final.State);
        var awaiting = Assert.Single(states, s => s.State == RenewalState.AwaitingPayerAction && s.PayerAction is not null);
        Assert.Equal(PayerActionKind.Redirect, awaiting.PayerAction!.Kind);
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_renewal_under_a_discount_promotion_tops_up_the_discounted_price_and_completes()
    {
        await using var world = new TMobileWorld();
        world.Stub.Promotions.Add("""{"id":"promo-20","name":"20% off","pattern":[{"action":"discountPercent","value":20}],"appliesTo":["tm-10gb-30d"]}""");
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);

        var renewal = await world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct);
        var final = await renewal.WaitForCompletionAsync(Ct);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(32.00m), final.Receipt?.Amount);
        var amount = JsonNode.Parse(world.Stub.OrderRequests.Single().RequestMessage!.Body!)!["amount"]!;
        Assert.Equal(32.00m, (decimal)amount["amount"]!);
        Assert.Equal("USD", (string?)amount["units"]);
        Assert.Equal("tm-10gb-30d", (await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct)).CurrentPlan.Value);
    }

    [Fact]
    public async Task A_decline_under_the_same_key_after_unanswered_tries_settles_them_the_renewal_fails_declined()
    {
        // 503 four times (the kit's tries of one send, then the engine's resend), then a definite 402 under the same
        // Idempotency-Key: the carrier answers the key, so no earlier try can still create a top-up.
        await using var world = new TMobileWorld(configure: o => o.Resilience.RetryBaseDelay = TimeSpan.FromMilliseconds(1));
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        for (var i = 0; i < 4; i++)
        {
            world.Stub.RespondNext("POST", "/topupBalance", 503, TMobileStub.Error("UNAVAILABLE", "Try later", 503));
        }

        world.Stub.EnqueueTopup(TopupScript.Declined("insufficient_funds"));

        var renewal = await world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct);
        var final = await renewal.WaitForCompletionAsync(Ct);

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, final.Failure?.Kind);
        Assert.Equal("insufficient_funds", final.Failure?.Code);
        Assert.Equal(5, world.Stub.OrderRequests.Count);
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task The_top_up_key_is_the_renewals_own_with_its_random_part_so_a_reused_renewal_id_never_replays_a_top_up()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);

        var final = await (await world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct)).WaitForCompletionAsync(Ct);

        var key = Assert.Single(world.Stub.OrderRequests).RequestMessage!.Headers!["Idempotency-Key"][0];
        Assert.Equal(final.OrderIdempotencyKey, key);
        Assert.StartsWith(final.Id.Value + ":", key, StringComparison.Ordinal);
        Assert.NotNull(final.IdempotencyNonce);
        Assert.EndsWith(final.IdempotencyNonce, key, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renewal_started_with_a_card_number_is_refused_before_anything_is_recorded_or_sent()
    {
        await using var world = new TMobileWorld();
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        var card = PaymentMethod.CreditCard("4242 4242 4242 4242", 12, 2030, "123");

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => world.Client.StartRenewalAsync(session, new RenewalRequest(quote, card), Ct));

        Assert.Contains("token", error.Message, StringComparison.Ordinal);
        Assert.Empty(await world.Client.GetUnfinishedRenewalsAsync(Ct).ToArrayAsync(Ct));
        Assert.Empty(world.Stub.OrderRequests);
    }

    [Theory]
    [InlineData("javascript:alert(document.cookie)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://pay.example/approve")]
    [InlineData("data:text/html,<script>alert(1)</script>")]
    [InlineData("https://user:pass@pay.example/approve")]
    [InlineData("/approve/relative")]
    public async Task A_payer_action_link_that_is_not_an_https_address_is_refused_not_handed_to_the_app(string link)
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        var request = Order(line, PaymentMethod.PayPal());
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        world.Stub.RespondNext("GET", "/topupBalance/" + order.OrderId, 200,
            new JsonObject { ["id"] = order.OrderId, ["status"] = "pendingPayerAction", ["payerAction"] = new JsonObject { ["type"] = "redirect", ["url"] = link } }.ToJsonString());

        var error = await Record.ExceptionAsync(() => world.Provider.Orders.GetAsync(session, order, request, Ct));

        Assert.IsType<InvalidCarrierResponseException>(error);
        Assert.DoesNotContain(link, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_top_up_reports_the_carriers_reason()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        world.Stub.EnqueueTopup(TopupScript.Fail());

        var request = Order(line, Card);
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        var failed = await world.Provider.Orders.GetAsync(session, order, request, Ct);

        Assert.Equal(CarrierOrderStatus.Failed, failed.Status);
        Assert.Equal("The line is not eligible for this top-up", failed.FailureReason);
        Assert.Equal("failed", failed.FailureCode);
    }

    [Theory]
    [InlineData(402, "PAYMENT_DECLINED", typeof(PaymentDeclinedException), false)]
    [InlineData(403, "TOPUP_DISABLED", typeof(PlanNotEligibleException), false)]
    [InlineData(404, "PRODUCT_NOT_FOUND", typeof(PlanNotEligibleException), false)]
    [InlineData(404, "INVALID_MSISDN", typeof(CarrierRejectedException), false)]
    [InlineData(409, "IDEMPOTENCY_MISMATCH", typeof(CarrierRejectedException), false)]
    [InlineData(409, "IDEMPOTENCY_IN_FLIGHT", typeof(OutcomeUnknownException), true)]
    [InlineData(401, "POP_INVALID", typeof(AuthenticationFailedException), false)]
    [InlineData(400, "SOMETHING_NEW", typeof(CarrierRejectedException), false)]
    public async Task Each_TMF_error_of_a_top_up_maps_to_its_typed_error(int status, string code, Type expected, bool transient)
    {
        await using var world = new TMobileWorld(configure: o => o.Resilience.MaxRetries = 0);
        var (session, line) = await SignInAsync(world);
        var extra = code == "PAYMENT_DECLINED" ? ",\"declineCode\":\"insufficient_funds\"" : null;
        world.Stub.RespondNext("POST", "/topupBalance", status, TMobileStub.Error(code, "Refused by the carrier for +12025550143", status, extra), headers: new Dictionary<string, string> { ["X-Request-Id"] = "req-42" });

        var error = await Assert.ThrowsAnyAsync<DataRenewException>(() => world.Provider.Orders.SubmitAsync(session, Order(line, Card), Ct));

        Assert.IsType(expected, error);
        Assert.Equal(code, error.CarrierErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(transient, error.IsTransient);
        Assert.Equal("req-42", error.RequestId);
        Assert.DoesNotContain("2025550143", error.Message, StringComparison.Ordinal);
        if (error is PaymentDeclinedException declined)
        {
            Assert.Equal("insufficient_funds", declined.Decline.Code);
        }
    }

    [Theory]
    [InlineData(503, "", "application/json", typeof(CarrierUnavailableException))]
    [InlineData(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", typeof(CarrierUnavailableException))]
    [InlineData(504, "<?xml version=\"1.0\"?><fault><faultstring>Gateway Timeout</faultstring></fault>", "application/xml", typeof(CarrierUnavailableException))]
    [InlineData(400, "{\"code\":\"BROKEN", "application/json", typeof(CarrierRejectedException))]
    [InlineData(401, "", "application/json", typeof(AuthenticationFailedException))]
    public async Task Error_answers_that_are_not_TMF_JSON_map_by_status(int status, string body, string contentType, Type expected)
    {
        await using var world = new TMobileWorld(configure: o => o.Resilience.MaxRetries = 0);
        var (session, line) = await SignInAsync(world);
        world.Stub.RespondNext("GET", "/bucket", status, body, contentType);
        if (status == 401)
        {
            // The bearer handler does not touch a subscriber's own token: the 401 stands.
            world.Stub.RespondNext("GET", "/bucket", status, body, contentType);
        }

        var error = await Assert.ThrowsAnyAsync<DataRenewException>(() => world.Provider.Accounts.FindLineAsync(session, line.Id, Ct));

        Assert.IsType(expected, error);
        Assert.Equal(status, error.StatusCode);
    }

    [Fact]
    public async Task A_top_up_answer_that_is_not_JSON_is_a_typed_error_not_a_crash()
    {
        await using var world = new TMobileWorld(configure: o => o.Resilience.MaxRetries = 0);
        var (session, line) = await SignInAsync(world);
        world.Stub.RespondNext("POST", "/topupBalance", 201, "{\"id\":\"tu-1\",\"status\":");

        var error = await Assert.ThrowsAnyAsync<DataRenewException>(() => world.Provider.Orders.SubmitAsync(session, Order(line, Card), Ct));

        Assert.True(error is InvalidCarrierResponseException or OutcomeUnknownException);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task Throttling_with_a_long_Retry_After_surfaces_as_RateLimited_with_the_wait_and_the_rate_headers()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        world.Stub.Throttle("GET", "/productOffering", "120");

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.True(error.IsTransient);
        Assert.Contains("rate limit 100, remaining 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, world.Stub.Count("GET", "/productOffering"));
    }

    [Fact]
    public async Task Throttling_without_Retry_After_surfaces_as_RateLimited_when_retries_are_spent()
    {
        await using var world = new TMobileWorld(configure: o => o.Resilience.MaxThrottledRetries = 0);
        var (session, line) = await SignInAsync(world);
        world.Stub.Throttle("GET", "/productOffering", retryAfter: null);

        var error = await Assert.ThrowsAsync<RateLimitedException>(() => world.Provider.Catalog.GetPlansAsync(session, line, Ct));

        Assert.Null(error.RetryAfter);
        Assert.Equal("RATE_LIMITED", error.CarrierErrorCode);
    }

    [Fact]
    public async Task Throttling_with_Retry_After_zero_is_waited_out_by_the_kit_and_the_read_succeeds()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        world.Stub.Throttle("GET", "/productOffering", "0");

        var plans = await world.Provider.Catalog.GetPlansAsync(session, line, Ct);

        Assert.NotEmpty(plans);
        Assert.Equal(2, world.Stub.Count("GET", "/productOffering"));
        Assert.Empty(world.Stub.PopRefusals);
    }

    [Fact]
    public async Task A_throttled_top_up_is_retried_with_the_same_key_and_bytes_and_makes_one_top_up()
    {
        await using var world = new TMobileWorld();
        var (session, line) = await SignInAsync(world);
        world.Stub.Throttle("POST", "/topupBalance", "0");

        await world.Provider.Orders.SubmitAsync(session, Order(line, Card), Ct);

        Assert.Equal(2, world.Stub.OrderRequests.Count);
        Assert.Single(world.Stub.OrderRequests.Select(e => e.RequestMessage!.Body).Distinct());
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_top_up_whose_answer_times_out_ends_Completed_with_one_carrier_top_up()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = new TMobileWorld(time, o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
        }, renewal: o => o.LeaseDuration = TimeSpan.FromSeconds(20));
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        world.Stub.DuringOrder = () =>
        {
            received.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        var start = world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct);
        await received.Task.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(11));
        var renewal = await start;
        Assert.Equal(RenewalState.Ordering, renewal.Current.State);
        world.Stub.DuringOrder = null;
        release.Set();

        // The engine first waits out the lease (the lost answer's request may still land): one jump, nothing is in flight.
        var wait = renewal.WaitForCompletionAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(21));
        var final = await RunClockAsync(time, wait);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(1, world.Stub.OrdersReceived);

        // The engine resent the order only because the carrier de-duplicates it: the same key and bytes, replayed.
        var requests = world.Stub.OrderRequests.Select(e => e.RequestMessage!).ToList();
        Assert.Single(requests.Select(r => r.Headers!["Idempotency-Key"][0]).Distinct());
        Assert.Single(requests.Select(r => r.Body).Distinct());
        Assert.Empty(world.Stub.PopRefusals);
    }

    private static async Task<RenewalRecord> RunClockAsync(FakeTimeProvider time, Task<RenewalRecord> task)
    {
        // Millisecond steps: the engine polls every few milliseconds; an HTTP call in flight would need 10,000 steps to see its timeout pass.
        for (var i = 0; i < 100_000 && !task.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            await Task.WhenAny(task, Task.Run(static () => { }, TestContext.Current.CancellationToken));
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    private static async Task<(CarrierSession Session, Line Line)> SignInAsync(TMobileWorld world)
    {
        var session = await world.SignInAsync();
        var line = await world.Provider.Accounts.FindLineAsync(session, TMobileWorld.Line, Ct);
        return (session, line!);
    }

    private static CarrierOrderRequest Order(Line line, PaymentMethod method) =>
        new(RenewalId.New(), line, new Plan(new PlanCode("tm-10gb-30d"), "10GB 30 days", DataAmount.FromGigabytes(10), Money.Usd(40.00m), 30), Money.Usd(40.00m), method.Summary, null)
        {
            PaymentMethod = method,
        };

    private sealed class Collect(ConcurrentQueue<RenewalRecord> states) : IProgress<RenewalRecord>
    {
        public void Report(RenewalRecord value) => states.Enqueue(value);
    }

    [Fact]
    public async Task TMobile_top_up_whose_answer_was_lost_is_not_failed_by_a_proxy_page_refusing_the_resend()
    {
        // The top-up reached the carrier and was created; its answer timed out. The engine resends at once under the key
        // , and that resend is stopped in front of the carrier by a web application firewall: 403 with an HTML
        // page, no TMF error code. tmobile.md maps such a page "by HTTP status alone"; it is not the carrier's replayed
        // answer to the key, so it says nothing about the first try. The engine takes it as settling the first try and
        // ends the renewal Failed, while the carrier completes the top-up and takes the payment.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var world = new TMobileWorld(time, o =>
        {
            o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(10);
            o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
        }, renewal: o => o.LeaseDuration = TimeSpan.FromSeconds(20));
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        var created = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        world.Stub.TopupCreated = id => created.TrySetResult(id);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        world.Stub.DuringOrder = () =>
        {
            received.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
        };

        var start = world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct);
        await received.Task.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(11));
        var renewal = await start;
        Assert.Equal(RenewalState.Ordering, renewal.Current.State);
        world.Stub.DuringOrder = null;
        release.Set();
        var topup = await created.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Ct);
        world.Stub.RespondNext("POST", "/topupBalance", 403, "<html><head><title>403 Forbidden</title></head><body>Request blocked.</body></html>", "text/html");

        var final = await renewal.WaitForCompletionAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, Ct);
        var atCarrier = world.Stub.FinishTopup(topup);

        Assert.Equal("completed", atCarrier.Status);
        Assert.True(final.State != RenewalState.Failed, $"The renewal ended Failed ({final.Failure?.Kind}: {final.Failure?.Message}) while the carrier's top-up {topup} for it is {atCarrier.Status}.");
    }
}
