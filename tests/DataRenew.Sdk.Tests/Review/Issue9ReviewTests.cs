using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using DataRenew.Sdk.Tests.Adapters.Att;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using DataRenew.Sdk.Tests.Renewal.Journal;
using DataRenew.Sdk.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Review;

/// <summary>
/// An outside review of the changes since 3a6f850 (line ids, the engine's de-duplicated resends, 429s retried for every
/// request, the Verizon re-login loop). Each test states what the SDK must do and fails on the reviewed code.
/// </summary>
public sealed class Issue9ReviewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly PlanCode AttPlan10Gb = new("ATT 10GB");
    private const string AttThrottled = """{"errorMessage":"Rate limit exceeded","errorCode":"10000005"}""";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- 429s retried for writes: the kit's total timeout turns "refused every time" into "sent, outcome unknown" ----

    [Fact]
    public async Task Att_plan_change_throttled_on_every_try_until_the_total_timeout_is_not_reported_as_sent()
    {
        // Every PUT is answered 429 with a Retry-After the kit waits out (20 s, its own MaxRetryAfter), and the third wait
        // crosses the kit's default 45 s total timeout. The carrier refused every try before acting (att.md: "a 429 is a
        // refusal before any effect"), so nothing was ordered and the renewal may be ordered again.
        var time = new FakeTimeProvider(Now);
        await using var world = new AttWorld(time: time);
        var (session, line) = await world.SignInToLineAsync();
        var plan = (await world.Provider.Catalog.GetPlansAsync(session, line, Ct)).Single(p => p.Code == AttPlan10Gb);
        var request = new CarrierOrderRequest(RenewalId.New(), line, plan, plan.Price, PaymentMethod.CarrierBilling().Summary, null);
        var putsBefore = world.Stub.OrdersReceived;
        world.Stub.RespondNext(HttpStatusCode.TooManyRequests, AttThrottled, times: 3, header: ("Retry-After", "20"));

        var submit = world.Provider.Orders.SubmitAsync(session, request, Ct);
        await AdvanceWhileIdleAsync(time, () => world.ClientInFlight, submit, TimeSpan.FromMilliseconds(10));
        var thrown = await Record.ExceptionAsync(() => submit);

        Assert.True(3 == world.Stub.OrdersReceived - putsBefore, $"PUTs: {world.Stub.OrdersReceived - putsBefore}; thrown: {thrown}"); // three PUTs, each answered 429
        Assert.Equal("ATT 5GB", world.Stub.PlanOf(AttStub.Line5Gb));
        Assert.NotNull(thrown);
        Assert.False(thrown is OutcomeUnknownException, $"Every try was refused with 429, yet the adapter reports the plan change as sent with an unknown outcome: {thrown}");

        // Refused, not sent: the renewal's plan change may be sent once the throttling ends.
        var order = await world.Provider.Orders.SubmitAsync(session, request, Ct);
        Assert.NotNull(order);
    }

    [Fact]
    public async Task Att_renewal_whose_plan_change_is_throttled_past_the_total_timeout_completes_instead_of_being_handed_to_a_person()
    {
        // The same at the engine. A gateway in front of the carrier answers the PUT 429 with Retry-After 6 s, twice (att.md:
        // "429 with Retry-After from a gateway in front of the server"); the second wait crosses the 10 s total timeout.
        // The carrier never saw the plan change, so the renewal must not be taken for an order in doubt (read back until
        // the deadline, never sent again, then NeedsAttention with nothing ordered).
        var time = new FakeTimeProvider(Now);
        var gateway = new GatewayThrottle(HttpMethod.Put, times: 2, retryAfterSeconds: 6);

        await using var world = new AttWorld(
            o =>
            {
                o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(5);
                o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
            },
            time,
            services: s => s.AddSingleton<IHttpMessageHandlerBuilderFilter>(new InnermostFilter(AttServiceCollectionExtensions.HttpClientName, gateway)),
            renewal: o => (o.ConfirmationTimeout, o.LeaseDuration) = (TimeSpan.FromSeconds(21), TimeSpan.FromSeconds(20)));
        world.Stub.ScheduleOrders = false;
        var client = world.Client;
        var session = await world.ClientSignInAsync();
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == AttStub.Line5Gb, Ct);
        var quote = await client.CreateQuoteAsync(session, line, AttPlan10Gb, Ct);

        var starting = client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        await AdvanceWhileIdleAsync(time, () => world.ClientInFlight, starting, TimeSpan.FromMilliseconds(10));
        var operation = await starting;
        Assert.Equal(2, gateway.Throttled);

        var waiting = operation.WaitForCompletionAsync(Ct);
        await AdvanceWhileIdleAsync(time, () => world.ClientInFlight, waiting, TimeSpan.FromMilliseconds(5));
        var final = await waiting;

        Assert.True(final.State == RenewalState.Completed, $"The renewal ended {final.State} ({final.Failure?.Kind}: {final.Failure?.Message}) with the line still on {world.Stub.PlanOf(AttStub.Line5Gb)} and {world.Stub.OrdersReceived} plan change(s) at the carrier.");
        Assert.Equal("ATT 10GB", world.Stub.PlanOf(AttStub.Line5Gb));
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    // ---- a de-duplicating carrier's "no" to a resend taken as the answer to every earlier try ----

    [Fact]
    public async Task A_refusal_of_a_resend_made_after_the_carriers_key_window_does_not_refund_an_order_the_carrier_applied()
    {
        // tmobile.md: "The style does not say how long a server keeps a key. A server keeps it at least as long as a client
        // may still be confirming the top-up." This carrier keeps keys a day. The first order is applied, its answer is
        // lost, and the process dies; the renewal is resumed two days later. The engine resends under the key the carrier
        // has forgotten, the carrier takes the resend for a new plan change and refuses it, and the engine reads that
        // "no" as the answer to the first try too: it refunds a renewal whose plan the carrier applied.
        Harness h = null!;
        h = new Harness(wrapCarrier: c => new KeyWindowCarrier(c, () => h.Time.GetUtcNow(), TimeSpan.FromDays(1)) { RefuseLateResend = true });
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var started = await h.StartAsync();
        Assert.Equal(RenewalState.Ordering, started.State);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine)); // the first try applied

        h.Time.Advance(TimeSpan.FromDays(2));
        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var resumed = await client.ResumeRenewalAsync(session, started.Id, Ct);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, h.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        Assert.True(h.Payments.Refunds.Count == 0, $"The renewal ended {final.State} and refunded the payment ({final.Failure?.Message}) although the carrier applied its plan.");
        Assert.NotEqual(RenewalState.Failed, final.State);
    }

    [Fact]
    public async Task A_resend_made_after_the_carriers_key_window_does_not_order_the_plan_a_second_time()
    {
        // The same carrier, the same renewal resumed two days after its first (applied) order lost its answer: the resend
        // under a forgotten key is a second plan change and a second charge at the carrier. Not introduced by the changes
        // reviewed (the engine resent without a time bound before), but the path (2) now takes without waiting.
        Harness h = null!;
        h = new Harness(wrapCarrier: c => new KeyWindowCarrier(c, () => h.Time.GetUtcNow(), TimeSpan.FromDays(1)));
        h.Carrier.EnqueueOrder(FakeOrderScript.CompleteAfter(0));
        h.Carrier.FailNext(FakeCarrierOperation.SubmitOrder, FaultTiming.AfterEffect, () => new OutcomeUnknownException("lost", new DataRenewErrorDetails(CarrierId.Fake)));
        var started = await h.StartAsync();

        h.Time.Advance(TimeSpan.FromDays(2));
        var client = h.NewClient();
        var session = await h.SignInAsync(client);
        var resumed = await client.ResumeRenewalAsync(session, started.Id, Ct);
        var final = await h.RunAsync(resumed.WaitForCompletionAsync(Ct));

        Assert.True(h.Carrier.SubmittedOrders.Count == 1, $"The renewal ended {final.State} after {h.Carrier.SubmittedOrders.Count} carrier orders for one payment.");
    }

    [Fact]
    public async Task TMobile_top_up_whose_answer_was_lost_is_not_failed_by_a_proxy_page_refusing_the_resend()
    {
        // The top-up reached the carrier and was created; its answer timed out. The engine resends at once under the key
        // (change 2b), and that resend is stopped in front of the carrier by a web application firewall: 403 with an HTML
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

    // ---- journals written before line ids ----

    [Fact]
    public async Task TMobile_renewal_journaled_before_line_ids_can_be_resumed_after_the_upgrade()
    {
        // The version before line ids keyed a T-Mobile line by the ICCID in the bucket's logicalResource (it refused a
        // bucket without one), and the journal's reader now takes that ICCID as the line id. The adapter now keys the line
        // by the subscriber's number, so the renewal it left unfinished (its top-up sent, the answer lost) must still be
        // resumable: it is the customer's money.
        using var directory = new TempDirectory();
        const string iccid = "8914800000000000014";
        var id = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d70");
        var started = new RenewalRecord
        {
            Id = id,
            Version = 1,
            State = RenewalState.Started,
            Carrier = CarrierId.TMobile,
            AccountId = TMobileStub.Msisdn,
            Line = new Line(new LineId(iccid), SimKind.ESim, LineStatus.Active, new PlanCode("tm-5gb-30d")) { PhoneNumber = TMobileWorld.Number },
            Plan = new Plan(new PlanCode("tm-10gb-30d"), "10GB 30 days", DataAmount.FromGigabytes(10), Money.Usd(40.00m), 30),
            Price = Money.Usd(40.00m),
            Payment = Card.Summary,
            CreatedAt = Now.AddHours(-1),
            UpdatedAt = Now.AddHours(-1),
        };
        var ordering = started with { Version = 2, State = RenewalState.Ordering, OrderAttempts = 1 };
        File.WriteAllBytes(Path.Combine(directory.Path, FileRenewalJournal.FileName), [.. OldFormatLine(started), .. OldFormatLine(ordering)]);

        await using var world = new TMobileWorld(services: s => s.AddSingleton<IRenewalJournal>(new FileRenewalJournal(directory.Path)));
        world.Stub.LogicalResources = $$"""[{"value":"{{TMobileStub.Msisdn}}","@referredType":"MSISDN"},{"value":"{{iccid}}","@referredType":"ICCID"}]""";
        var session = await world.SignInClientAsync();
        Assert.Equal(new LineId(iccid), (await world.Client.GetRenewalAsync(id, Ct))!.Line.Id);

        var resumed = await Record.ExceptionAsync(async () =>
        {
            var operation = await world.Client.ResumeRenewalAsync(session, new ResumeRenewalRequest(id) { PaymentMethod = Card }, Ct);
            var final = await operation.WaitForCompletionAsync(Ct);
            Assert.Equal(RenewalState.Completed, final.State);
        });

        Assert.True(resumed is null, $"The unfinished T-Mobile renewal from before the upgrade cannot be resumed: {resumed?.GetType().Name}: {resumed?.Message}");
    }

    // ---- line identity ----

    [Fact]
    public async Task Verizon_device_found_by_another_of_its_ids_is_one_line_so_a_second_renewal_of_it_is_refused_while_one_is_open()
    {
        // The adapter accepts any of a device's ids (kind:id) and hands back the line keyed by the id it was asked with, not
        // by the device's own line id (its ICCID). The journal, the quote and the one-renewal-per-line guard at a carrier
        // without keys then see two lines: a second plan change goes to a device whose first one is still open, and a lost
        // answer of either is settled by reading a device where the two cannot be told apart.
        using var stub = new VerizonStub { PendingPolls = 1_000 };
        await using var host = new VerizonTestHost(stub);
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var listed = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var first = await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, listed, new PlanCode("M2M10GB"), Ct), PaymentMethod.CarrierBilling()), Ct);
        Assert.Equal(RenewalState.Confirming, first.State);

        var sameDevice = new Line(new LineId("mdn:2025550143"), SimKind.Physical, LineStatus.Active, new PlanCode("M2M5GB"));
        var found = await host.Carrier.Accounts.FindLineAsync(await host.SignInAsync(), sameDevice.Id, Ct);
        var second = await Record.ExceptionAsync(async () =>
            await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, sameDevice, new PlanCode("M2MUNL"), Ct), PaymentMethod.CarrierBilling()), Ct));

        Assert.True(stub.OrdersReceived == 1, $"{stub.OrdersReceived} plan changes were sent for one device while its first renewal is open (second start: {second?.GetType().Name ?? "accepted"}; the line was found as {found?.Id.ToMaskedString()}).");
        Assert.IsType<RenewalInProgressException>(second);
    }

    // ---- helpers ----

    private static readonly PaymentMethod Card = PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    /// <summary>Advances the fake clock in steps while the adapter has no call on the wire, until the task ends.</summary>
    private static async Task AdvanceWhileIdleAsync(FakeTimeProvider time, Func<int> inFlight, Task task, TimeSpan step)
    {
        for (var i = 0; i < 1_000_000 && !task.IsCompleted; i++)
        {
            if (inFlight() == 0)
            {
                time.Advance(step);
            }

            await Task.Run(static () => { }, Ct);
        }

        await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30), TimeProvider.System, Ct));
        Assert.True(task.IsCompleted, "The operation did not finish.");
    }

    /// <summary>
    /// A gateway in front of the carrier: answers the first <c>times</c> requests of one method 429 with a Retry-After,
    /// without passing them on. It sits below every handler of the client (see <see cref="InnermostFilter"/>), where the
    /// network is, so the kit's retry sees each of its answers.
    /// </summary>
    private sealed class GatewayThrottle(HttpMethod method, int times, int retryAfterSeconds)
    {
        private int _throttled;

        public int Throttled => Volatile.Read(ref _throttled);

        public DelegatingHandler NewHandler() => new Handler(this);

        private sealed class Handler(GatewayThrottle gateway) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => gateway.SendAsync(request, r => base.SendAsync(r, cancellationToken));
        }

        private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, Func<HttpRequestMessage, Task<HttpResponseMessage>> next)
        {
            if (request.Method == method && Interlocked.Increment(ref _throttled) <= times)
            {
                var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
                {
                    RequestMessage = request,
                    Content = new StringContent(AttThrottled, Encoding.UTF8, "application/json"),
                };
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(retryAfterSeconds));
                return Task.FromResult(response);
            }

            if (request.Method == method)
            {
                Interlocked.Decrement(ref _throttled);
            }

            return next(request);
        }
    }

    /// <summary>Adds the gateway as the last handler of one named client, after the kit's own filter added its handlers.</summary>
    private sealed class InnermostFilter(string clientName, GatewayThrottle gateway) : IHttpMessageHandlerBuilderFilter
    {
        public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
        {
            next(builder);
            if (builder.Name == clientName)
            {
                builder.AdditionalHandlers.Add(gateway.NewHandler());
            }
        };
    }

    /// <summary>
    /// A carrier that de-duplicates by key for a window only (the style sets no length): within it a resend is replayed or
    /// looked up; after it the key is gone, a lookup by it finds nothing and a resend is a new plan change (refused, with
    /// <see cref="RefuseLateResend"/>, as a carrier refuses a line's extra plan change).
    /// </summary>
    private sealed class KeyWindowCarrier(FakeCarrier carrier, Func<DateTimeOffset> now, TimeSpan window) : DelegatingCarrier(carrier)
    {
        private readonly FakeCarrier _carrier = carrier;
        private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);

        public bool RefuseLateResend { get; init; }

        public override async Task<CarrierOrder> SubmitAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default)
        {
            if (!Forgotten(request, remember: true))
            {
                return await base.SubmitAsync(session, request, cancellationToken);
            }

            _carrier.HonourIdempotencyKeys = false;
            try
            {
                if (RefuseLateResend)
                {
                    _carrier.EnqueueOrder(FakeOrderScript.Refuse());
                }

                return await base.SubmitAsync(session, request, cancellationToken);
            }
            finally
            {
                _carrier.HonourIdempotencyKeys = true;
            }
        }

        public override Task<CarrierOrder?> FindByRenewalAsync(CarrierSession session, CarrierOrderRequest request, CancellationToken cancellationToken = default) =>
            Forgotten(request, remember: false) ? Task.FromResult<CarrierOrder?>(null) : base.FindByRenewalAsync(session, request, cancellationToken);

        private bool Forgotten(CarrierOrderRequest request, bool remember)
        {
            lock (_firstSeen)
            {
                if (_firstSeen.TryGetValue(request.IdempotencyKey, out var first))
                {
                    return now() - first > window;
                }

                if (remember)
                {
                    _firstSeen[request.IdempotencyKey] = now();
                }

                return false;
            }
        }
    }

    /// <summary>A journal line as the version before line ids wrote it: the line has an "iccid" and no "id".</summary>
    private static byte[] OldFormatLine(RenewalRecord record)
    {
        var encoded = FileRenewalJournal.Encode(record);
        var json = JsonNode.Parse(encoded.AsSpan(26, encoded.Length - 27))!.AsObject();
        var line = json["line"]!.AsObject();
        line["iccid"] = line["id"]!.GetValue<string>();
        line.Remove("id");
        json.Remove("nonce");
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString());
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString("D8", CultureInfo.InvariantCulture) + " " + hash + " "), .. bytes, (byte)'\n'];
    }
}
