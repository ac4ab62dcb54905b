using System.Text.Json.Nodes;
using DataRenew.Sdk.Carriers.Verizon;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>Renewals on the Verizon style: an asynchronous plan change, confirmed by polling, never sent twice.</summary>
public sealed class VerizonRenewalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static CarrierOrderRequest Order(Line line, string plan, RenewalId? id = null) =>
        new(id ?? RenewalId.New(), line, new Plan(new PlanCode(plan), plan, DataAmount.FromGigabytes(10), Money.Usd(45m), 30), Money.Usd(45m), PaymentMethod.CarrierBilling().Summary, null);

    [Fact]
    public async Task The_descriptor_says_bill_to_account_polling_four_changes_a_month_and_no_deduplication()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);

        var descriptor = host.Carrier.Descriptor;

        Assert.Equal(CarrierId.Verizon, descriptor.Id);
        Assert.Equal([PaymentMethodKind.CarrierBilling], descriptor.AcceptedPayments);
        Assert.Equal(ConfirmationModes.Polling | ConfirmationModes.Callback, descriptor.Confirmation);
        Assert.Equal(SignInMethods.Password, descriptor.SignInMethods);
        Assert.Equal(4, descriptor.MaxPlanChangesPerMonth);
        Assert.False(descriptor.DeduplicatesOrders);
        Assert.False(descriptor.CollectsPayment);
        Assert.NotNull(host.Carrier.Billing);
    }

    [Fact]
    public async Task A_renewal_through_the_client_sends_one_plan_change_polls_it_and_completes_billed_to_the_account()
    {
        using var stub = new VerizonStub { PendingPolls = 2 };
        await using var host = new VerizonTestHost(stub);
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var quote = await client.CreateQuoteAsync(session, line, new PlanCode("M2M10GB"), Ct);

        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        var final = await renewal.WaitForCompletionAsync(Ct);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(Money.Usd(45.00m), final.Receipt!.Amount);
        Assert.Equal(1, stub.OrdersReceived);
        Assert.Equal("M2M10GB", stub.PlanOf(VerizonStub.ActiveLine));
        var put = JsonNode.Parse(Assert.Single(stub.Requests("PUT", "/api/m2m/v1/devices/actions/plan")).Body!)!;
        Assert.Equal("M2M10GB", (string?)put["servicePlan"]);
        Assert.Equal("M2M5GB", (string?)put["currentServicePlan"]);
        Assert.Equal(VerizonStub.AccountName, (string?)put["accountName"]);
        Assert.Equal(VerizonStub.ActiveLine.Value, (string?)put["devices"]![0]!["deviceIds"]![0]!["id"]);
        Assert.Equal(final.Order!.OrderId, final.Receipt.ConfirmationNumber);
        Assert.True(stub.Requests("GET", "/status").Count >= 3);
        Assert.StartsWith("vzbill_", final.PaymentId, StringComparison.Ordinal);

        // Settled, so forgotten: a long-running process does not keep every renewal's request id.
        Assert.Equal(0, ((DataRenew.Sdk.Carriers.Verizon.VerizonCarrier)host.Carrier).OrdersRemembered);
    }

    [Fact]
    public async Task A_fifth_plan_change_this_month_is_refused_and_the_renewal_fails_with_nothing_billed()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);

        var final = await host.RenewAsync(VerizonStub.LimitReachedLine, new PlanCode("M2M10GB"));

        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierRefused, final.Failure!.Kind);
        Assert.Equal("PlanChangeLimitExceeded", final.Failure.Code);
        Assert.NotNull(final.RefundId);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_refused_for_the_limit_is_PlanNotEligible_and_not_transient()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.LimitReachedLine);

        var error = await Assert.ThrowsAsync<PlanNotEligibleException>(() => host.Carrier.Orders.SubmitAsync(session, Order(line, "M2M10GB"), Ct));

        Assert.Equal("PlanChangeLimitExceeded", error.CarrierErrorCode);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task A_plan_change_on_a_suspended_device_is_accepted_then_fails_with_the_cause()
    {
        using var stub = new VerizonStub { PendingPolls = 1 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.SuspendedLine);

        var request = Order(line, "M2M10GB");
        var order = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        var pending = await host.Carrier.Orders.GetAsync(session, order, request, Ct);
        var failed = await host.Carrier.Orders.GetAsync(session, pending, request, Ct);

        Assert.Equal(CarrierOrderStatus.Pending, order.Status);
        Assert.Equal(CarrierOrderStatus.Pending, pending.Status);
        Assert.Equal(CarrierOrderStatus.Failed, failed.Status);
        Assert.Contains("Device is suspended", failed.FailureReason, StringComparison.Ordinal);
        Assert.Equal("Device is suspended", failed.FailureCode);
        Assert.Equal(order.OrderId, failed.OrderId);
    }

    [Fact]
    public async Task A_status_answered_for_another_request_id_is_an_invalid_answer_never_this_orders_success()
    {
        using var stub = new VerizonStub { PendingPolls = 3 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        var request = Order(line, "M2M10GB");
        var order = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        stub.RespondNext("/status", 200, """{"requestId":"someone-elses-request","status":"Success"}""");

        var error = await Record.ExceptionAsync(() => host.Carrier.Orders.GetAsync(session, order, request, Ct));

        Assert.IsType<InvalidCarrierResponseException>(error);
        Assert.Equal(CarrierOrderStatus.Pending, (await host.Carrier.Orders.GetAsync(session, order, request, Ct)).Status);
    }

    [Fact]
    public async Task Submitting_one_renewal_twice_sends_one_plan_change_and_finds_it_by_renewal()
    {
        using var stub = new VerizonStub { PendingPolls = 0 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        var request = Order(line, "M2M10GB");

        var first = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        var second = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        var found = await host.Carrier.Orders.FindByRenewalAsync(session, request, Ct);
        var unknown = await host.Carrier.Orders.FindByRenewalAsync(session, Order(line, "M2M1GB"), Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(1, stub.OrdersReceived);
        Assert.Equal(CarrierOrderStatus.Completed, found!.Status);
        Assert.Equal(first.OrderId, found.OrderId);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task A_plan_change_settled_by_a_lookup_is_not_sent_again_and_is_still_found_by_its_renewal()
    {
        // The lookup the engine makes when its journal write after the PUT was lost settles (and forgets) the order:
        // the same renewal submitted again must not PUT again, nor be reported as never sent.
        using var stub = new VerizonStub { PendingPolls = 0 };
        await using var host = new VerizonTestHost(stub);
        var session = await host.SignInAsync();
        var line = await host.LineAsync(session, VerizonStub.ActiveLine);
        var request = Order(line, "M2M10GB");

        var first = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        var settled = await host.Carrier.Orders.FindByRenewalAsync(session, request, Ct);
        Assert.Equal(CarrierOrderStatus.Completed, settled?.Status);
        Assert.Equal(0, ((VerizonCarrier)host.Carrier).OrdersRemembered);

        var second = await host.Carrier.Orders.SubmitAsync(session, request, Ct);
        var found = await host.Carrier.Orders.FindByRenewalAsync(session, request, Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Equal(first.OrderId, found?.OrderId);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_second_renewal_of_a_line_with_one_in_progress_is_refused_before_any_call_to_the_carrier()
    {
        // Its lost answers are settled by reading the line: two renewals of one line could not be told apart there.
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = new VerizonTestHost(stub);
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var first = await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, line, new PlanCode("M2M10GB"), Ct), PaymentMethod.CarrierBilling()), Ct);
        Assert.Equal(RenewalState.Confirming, first.State);
        var quote = await client.CreateQuoteAsync(session, line, new PlanCode("M2M10GB"), Ct);
        var calls = stub.RequestCount;

        var refused = await Assert.ThrowsAsync<RenewalInProgressException>(() => client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct));

        Assert.Equal(first.Id, refused.RenewalId);
        Assert.Equal(RenewalState.Confirming, refused.State);
        Assert.Equal(calls, stub.RequestCount);
        Assert.Equal(1, stub.OrdersReceived);

        // Another line of the account is not held up.
        var second = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.SecondLine, Ct);
        var other = await client.StartRenewalAsync(session, new RenewalRequest(await client.CreateQuoteAsync(session, second, new PlanCode("M2M5GB"), Ct), PaymentMethod.CarrierBilling()), Ct);
        Assert.Equal(RenewalState.Confirming, other.State);
    }

    [Fact]
    public async Task A_process_that_did_not_send_the_plan_change_finds_it_on_the_device_from_the_journaled_order()
    {
        using var stub = new VerizonStub { PendingPolls = 0 };
        await using var first = new VerizonTestHost(stub);
        var session = await first.SignInAsync();
        var line = await first.LineAsync(session, VerizonStub.ActiveLine);
        var request = Order(line, "M2M10GB");
        await first.Carrier.Orders.SubmitAsync(session, request, Ct); // applied; say its answer died with this process

        // The next process has no request id for the renewal, and the carrier cannot be asked by renewal.
        await using var next = new VerizonTestHost(stub);
        var nextSession = await next.SignInAsync();

        // Told what was ordered (and the plan the line had), it reads the device: the plan moved to the one ordered.
        var found = await next.Carrier.Orders.FindByRenewalAsync(nextSession, request, Ct);
        Assert.Equal(CarrierOrderStatus.Completed, found?.Status);

        // An order for a plan the device does not show is not found; a "change" to the plan it already had proves nothing.
        Assert.Null(await next.Carrier.Orders.FindByRenewalAsync(nextSession, Order(line, "M2MUNL"), Ct));
        var unchanged = await next.LineAsync(nextSession, VerizonStub.ActiveLine);
        Assert.Null(await next.Carrier.Orders.FindByRenewalAsync(nextSession, Order(unchanged, "M2M10GB"), Ct));
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_that_times_out_is_never_sent_again_and_the_renewal_completes_from_the_device()
    {
        using var stub = new VerizonStub { PendingPolls = 0 };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = TimeoutHost(stub, time);
        var renewal = await StartWithTimedOutPlanChangeAsync(host, stub, time);

        Assert.Equal(RenewalState.Ordering, renewal.State);

        // The engine holds the renewal while its lost send may still land, then looks; the adapter never resends.
        await renewal.UpdateStatusAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(6));
        var final = await renewal.UpdateStatusAsync(Ct);

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.StartsWith(VerizonCarrier.SyntheticOrderPrefix, final.Order!.OrderId, StringComparison.Ordinal);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_plan_change_that_times_out_and_does_not_show_on_the_device_ends_NeedsAttention_without_a_second_one()
    {
        using var stub = new VerizonStub { PendingPolls = 1 };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = TimeoutHost(stub, time);
        var renewal = await StartWithTimedOutPlanChangeAsync(host, stub, time);

        await renewal.UpdateStatusAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(6));
        var waiting = await renewal.UpdateStatusAsync(Ct);
        time.Advance(TimeSpan.FromMinutes(31));
        var final = await renewal.UpdateStatusAsync(Ct);

        Assert.Equal(RenewalState.Ordering, waiting.State);
        Assert.Equal(RenewalState.NeedsAttention, final.State);
        Assert.Equal(RenewalFailureKind.ConfirmationTimedOut, final.Failure!.Kind);
        Assert.Equal(1, stub.OrdersReceived);
    }

    private static VerizonTestHost TimeoutHost(VerizonStub stub, FakeTimeProvider time) => new(stub, o =>
    {
        o.Resilience.AttemptTimeout = TimeSpan.FromSeconds(5);
        o.Resilience.TotalTimeout = TimeSpan.FromSeconds(10);
    }, time);

    /// <summary>Starts a renewal whose plan change reaches the stub but whose answer times out, then lets the stub finish.</summary>
    private static async Task<RenewalOperation> StartWithTimedOutPlanChangeAsync(VerizonTestHost host, VerizonStub stub, FakeTimeProvider time)
    {
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var quote = await client.CreateQuoteAsync(session, line, new PlanCode("M2M10GB"), Ct);
        stub.BlockNextOrder(out var received, out var release, out var processed);

        var starting = client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        await received.WaitAsync(Ct);
        time.Advance(TimeSpan.FromSeconds(6));
        var renewal = await starting;
        release();
        await processed.WaitAsync(Ct);
        return renewal;
    }
}
