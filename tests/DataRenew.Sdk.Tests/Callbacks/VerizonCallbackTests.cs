using System.Text;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Carriers.Verizon;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Callbacks;

/// <summary>The Verizon-style CarrierService callback: registered credentials checked in constant time, then applied like a poll.</summary>
public sealed class VerizonCallbackTests
{
    internal const string User = "callback-listener";
    internal const string Pass = "Cb-Pa55word-0042";
    private static readonly Dictionary<string, string> NoHeaders = new() { ["Content-Type"] = "application/json" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static byte[] Body(string requestId, string status, string user = User, string password = Pass, string? cause = null)
    {
        var failed = cause is null ? string.Empty : $$""","failedDevices":[{"deviceIds":[{"id":"{{VerizonStub.ActiveLine.Value}}","kind":"iccid"}],"cause":"{{cause}}"}]""";
        return Encoding.UTF8.GetBytes($$"""{"requestId":"{{requestId}}","deviceIds":[{"id":"{{VerizonStub.ActiveLine.Value}}","kind":"iccid"}],"status":"{{status}}","username":"{{user}}","password":"{{password}}"{{failed}}}""");
    }

    private static VerizonTestHost Host(VerizonStub stub, FakeTimeProvider? time = null, bool configured = true) => new(stub, o =>
    {
        if (configured)
        {
            o.CallbackUsername = User;
            o.CallbackPassword = Pass;
        }
    }, time);

    /// <summary>A renewal started on the stub and left Confirming (the stub keeps its request pending).</summary>
    private static async Task<RenewalOperation> ConfirmingAsync(VerizonTestHost host)
    {
        var client = host.Client;
        var session = await client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(l => l.Id == VerizonStub.ActiveLine, Ct);
        var quote = await client.CreateQuoteAsync(session, line, new PlanCode("M2M10GB"), Ct);
        var renewal = await client.StartRenewalAsync(session, new RenewalRequest(quote, PaymentMethod.CarrierBilling()), Ct);
        Assert.Equal(RenewalState.Confirming, renewal.State);
        return renewal;
    }

    private static async Task<int> VersionsAsync(VerizonTestHost host, RenewalId id) =>
        await host.Client.GetRenewalHistoryCountAsync(id);

    [Fact]
    public async Task The_descriptor_says_it_confirms_by_polling_and_by_callback()
    {
        using var stub = new VerizonStub();
        await using var host = Host(stub);

        Assert.Equal(ConfirmationModes.Polling | ConfirmationModes.Callback, host.Carrier.Descriptor.Confirmation);
    }

    [Fact]
    public async Task A_Success_callback_completes_a_renewal_waiting_in_Confirming_with_the_receipt_a_poll_would_give()
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        var requestId = renewal.Current.Order!.OrderId;

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Success"), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.Applied, result.Outcome);
        Assert.Equal(200, result.HttpStatusCode);
        Assert.Equal(renewal.Id, result.RenewalId);
        Assert.Equal(RenewalState.Completed, result.State);
        var record = await host.Client.GetRenewalAsync(renewal.Id, Ct);
        Assert.Equal(RenewalState.Completed, record!.State);
        Assert.Equal(requestId, record.Receipt!.ConfirmationNumber);
        Assert.Equal(1, stub.OrdersReceived);
        Assert.Empty(stub.Requests("GET", "/status"));

        // The operation the app holds reads the same end.
        var final = await renewal.WaitForCompletionAsync(Ct);
        Assert.Equal(record, final);
    }

    [Fact]
    public async Task A_WaitForCompletionAsync_that_was_polling_ends_with_the_callbacks_result()
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = Host(stub, time);
        var renewal = await ConfirmingAsync(host);
        var waiting = renewal.WaitForCompletionAsync(Ct);

        // Once it has polled (and is pausing on the fake clock, which the test never advances), the carrier calls back.
        await Until(() => stub.Requests("GET", "/status").Count >= 1);
        Assert.False(waiting.IsCompleted);
        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(renewal.Current.Order!.OrderId, "Success"), NoHeaders, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var final = await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(CallbackOutcome.Applied, result.Outcome);
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(final, await host.Client.GetRenewalAsync(renewal.Id, Ct));
        Assert.Equal(renewal.Current.Order!.OrderId, final.Receipt!.ConfirmationNumber);
    }

    [Fact]
    public async Task The_same_callback_twice_and_a_late_Pending_change_nothing_after_the_first()
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        var requestId = renewal.Current.Order!.OrderId;

        var early = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Pending"), NoHeaders, Ct);
        var versionsBefore = await VersionsAsync(host, renewal.Id);
        var first = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Success"), NoHeaders, Ct);
        var completed = await host.Client.GetRenewalAsync(renewal.Id, Ct);
        var again = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Success"), NoHeaders, Ct);
        var late = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Pending"), NoHeaders, Ct);
        var contrary = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(requestId, "Failure", cause: "late"), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.Unchanged, early.Outcome);
        Assert.Equal(RenewalState.Confirming, early.State);
        Assert.Equal(CallbackOutcome.Applied, first.Outcome);

        // A finished renewal is no longer waiting on its order: later deliveries are recognised and change nothing.
        Assert.All([again, late, contrary], r => Assert.Equal((CallbackOutcome.Unchanged, RenewalState.Completed, 200), (r.Outcome, r.State!.Value, r.HttpStatusCode)));
        Assert.Equal(completed, await host.Client.GetRenewalAsync(renewal.Id, Ct));
        Assert.Equal(versionsBefore + 1, await VersionsAsync(host, renewal.Id));
    }

    [Fact]
    public async Task Concurrent_duplicate_deliveries_apply_once()
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        var body = Body(renewal.Current.Order!.OrderId, "Success");
        var versionsBefore = await VersionsAsync(host, renewal.Id);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => host.Callbacks.HandleAsync(CarrierId.Verizon, body, NoHeaders, Ct), Ct)));

        Assert.Equal(1, results.Count(r => r.Outcome == CallbackOutcome.Applied));
        Assert.All(results, r => Assert.True(r.Handled || r.Outcome == CallbackOutcome.UnknownOrder));
        Assert.Equal(versionsBefore + 1, await VersionsAsync(host, renewal.Id));
        Assert.Equal(RenewalState.Completed, (await host.Client.GetRenewalAsync(renewal.Id, Ct))!.State);
    }

    [Fact]
    public async Task A_Failure_callback_after_billing_sends_the_renewal_to_the_refund_which_the_next_drive_makes()
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        Assert.NotNull(renewal.Current.PaymentId);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(renewal.Current.Order!.OrderId, "Failure", cause: "Device is suspended"), NoHeaders, Ct);
        var duplicate = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(renewal.Current.Order!.OrderId, "Failure", cause: "Device is suspended"), NoHeaders, Ct);
        var final = await renewal.WaitForCompletionAsync(Ct);

        Assert.Equal(CallbackOutcome.Applied, result.Outcome);
        Assert.Equal(RenewalState.Refunding, result.State);
        Assert.Equal(CallbackOutcome.Unchanged, duplicate.Outcome);
        Assert.Equal(RenewalState.Failed, final.State);
        Assert.Equal(RenewalFailureKind.CarrierFailed, final.Failure!.Kind);
        Assert.Contains("Device is suspended", final.Failure.Message, StringComparison.Ordinal);
        Assert.StartsWith("vzrefund_", final.RefundId, StringComparison.Ordinal);
        Assert.Equal(1, stub.OrdersReceived);
    }

    [Fact]
    public async Task A_callback_for_a_renewal_that_already_ended_changes_nothing()
    {
        using var stub = new VerizonStub { PendingPolls = 0 };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        var final = await renewal.WaitForCompletionAsync(Ct);
        Assert.Equal(RenewalState.Completed, final.State);
        var versions = await VersionsAsync(host, renewal.Id);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(final.Order!.OrderId, "Failure", cause: "late"), NoHeaders, Ct);

        // Answered 200 "unchanged" (the poll got there first), so the carrier does not keep resending it.
        Assert.Equal(CallbackOutcome.Unchanged, result.Outcome);
        Assert.Equal(200, result.HttpStatusCode);
        Assert.Equal(renewal.Id, result.RenewalId);
        Assert.Equal(versions, await VersionsAsync(host, renewal.Id));
        Assert.Equal(final, await host.Client.GetRenewalAsync(renewal.Id, Ct));
        Assert.Null(final.RefundId);
    }

    [Fact]
    public async Task An_unknown_request_id_is_a_typed_unknown_result_the_carrier_may_retry()
    {
        using var stub = new VerizonStub();
        await using var host = Host(stub);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body("no-such-request", "Success"), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.UnknownOrder, result.Outcome);
        Assert.Equal(404, result.HttpStatusCode);
        Assert.Null(result.RenewalId);
    }

    [Theory]
    [InlineData(User, "Cb-Pa55word-0043")] // wrong password of the same length
    [InlineData(User, "")]
    [InlineData("callback-listenes", Pass)] // wrong username of the same length
    [InlineData("", "")]
    public async Task Wrong_credentials_are_refused_and_nothing_is_applied(string user, string password)
    {
        using var stub = new VerizonStub { PendingPolls = int.MaxValue };
        await using var host = Host(stub);
        var renewal = await ConfirmingAsync(host);
        var versions = await VersionsAsync(host, renewal.Id);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body(renewal.Current.Order!.OrderId, "Success", user, password), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.Unauthorized, result.Outcome);
        Assert.Equal(401, result.HttpStatusCode);
        Assert.Null(result.RenewalId);
        Assert.Equal(versions, await VersionsAsync(host, renewal.Id));
        Assert.DoesNotContain(Pass, result.ToString(), StringComparison.Ordinal);
        if (password.Length > 0)
        {
            Assert.DoesNotContain(password, result.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Credentials_missing_from_the_body_are_refused()
    {
        using var stub = new VerizonStub();
        await using var host = Host(stub);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, """{"requestId":"r-1","status":"Success"}"""u8.ToArray(), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.Unauthorized, result.Outcome);
    }

    [Fact]
    public async Task Without_registered_credentials_callbacks_are_not_configured_and_nothing_is_applied()
    {
        using var stub = new VerizonStub();
        await using var host = Host(stub, configured: false);

        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Body("r-1", "Success", "", ""), NoHeaders, Ct);

        Assert.Equal(CallbackOutcome.NotConfigured, result.Outcome);
    }

    [Fact]
    public void The_callback_password_never_shows_in_the_options_and_must_come_with_a_username()
    {
        var options = new VerizonOptions { CallbackUsername = User, CallbackPassword = Pass };
        var half = new VerizonOptions { CallbackPassword = Pass };

        Assert.DoesNotContain(Pass, options.ToString(), StringComparison.Ordinal);
        Assert.Contains(half.Validate(TimeSpan.FromMinutes(5)), p => p.Contains("CallbackUsername", StringComparison.Ordinal));
        Assert.DoesNotContain(options.Validate(TimeSpan.FromMinutes(5)), p => p.Contains("Callback", StringComparison.Ordinal));
    }

    /// <summary>Yields until the condition holds (the stub answers on its own threads); bounded by the test's token.</summary>
    internal static async Task Until(Func<bool> condition)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            bound.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}

internal static class RenewalHistoryExtensions
{
    public static async Task<int> GetRenewalHistoryCountAsync(this DataRenewClient client, RenewalId id) =>
        (await client.GetRenewalAsync(id, TestContext.Current.CancellationToken))!.Version;
}
