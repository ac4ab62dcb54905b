using System.Security.Cryptography;
using System.Text;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Carriers.TMobile;
using DataRenew.Sdk.Payments;
using DataRenew.Sdk.Providers;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Callbacks;

/// <summary>The T-Mobile-style hub event: HMAC-SHA256 of the raw body checked before parsing, then applied like a poll.</summary>
public sealed class TMobileHubEventTests
{
    internal const string Secret = "hub-secret-0123456789abcdef";
    private static readonly PaymentMethod Card = PaymentMethod.CardToken("tok_visa_4242", CardBrand.Visa, "4242");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static byte[] Event(string topupId, string status, string eventType = "topupBalanceStateChangeEvent", string? reason = null)
    {
        var extra = reason is null ? string.Empty : $$""","statusChangeReason":"{{reason}}" """;
        var topup = $$"""{"id":"{{topupId}}","status":"{{status}}"{{extra}}""" + "}";
        return Encoding.UTF8.GetBytes($$"""{"eventId":"ev-{{Guid.NewGuid():N}}","eventTime":"2026-11-27T03:00:00Z","eventType":"{{eventType}}","event":{"topupBalance":{{topup}}""" + "}}");
    }

    internal static Dictionary<string, string> Signed(byte[] body, string secret = Secret) =>
        new() { ["X-Signature"] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)) };

    private static TMobileWorld World(bool configured = true) => new(configure: o => o.HubSecret = configured ? Secret : null);

    private static ICarrierCallbackHandler Callbacks(TMobileWorld world) => world.Services.GetRequiredService<ICarrierCallbackHandler>();

    private static async Task<RenewalOperation> ConfirmingAsync(TMobileWorld world)
    {
        var session = await world.SignInClientAsync();
        var line = await world.Client.GetLinesAsync(session, Ct).SingleAsync(Ct);
        var quote = await world.Client.CreateQuoteAsync(session, line, new PlanCode("tm-10gb-30d"), Ct);
        var renewal = await world.Client.StartRenewalAsync(session, new RenewalRequest(quote, Card), Ct);
        Assert.Equal(RenewalState.Confirming, renewal.State);
        return renewal;
    }

    [Fact]
    public async Task The_descriptor_says_it_confirms_by_polling_and_by_callback()
    {
        await using var world = World();

        Assert.Equal(ConfirmationModes.Polling | ConfirmationModes.Callback, world.Provider.Descriptor.Confirmation);
    }

    [Fact]
    public async Task A_signed_completed_event_completes_the_top_up_renewal_without_a_poll()
    {
        await using var world = World();
        var renewal = await ConfirmingAsync(world);
        var topup = renewal.Current.Order!.OrderId;
        var body = Event(topup, "completed");

        var result = await Callbacks(world).HandleAsync(CarrierId.TMobile, body, Signed(body), Ct);
        var again = await Callbacks(world).HandleAsync(CarrierId.TMobile, body, Signed(body), Ct);

        Assert.Equal(CallbackOutcome.Applied, result.Outcome);
        Assert.Equal(RenewalState.Completed, result.State);
        Assert.Equal(CallbackOutcome.Unchanged, again.Outcome);
        Assert.Equal(RenewalState.Completed, again.State);
        var final = await renewal.WaitForCompletionAsync(Ct);
        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(topup, final.Receipt!.ConfirmationNumber);
        Assert.Equal(0, world.Stub.Count("GET", "/topupBalance/" + topup));
        Assert.Equal(1, world.Stub.OrdersReceived);
    }

    [Fact]
    public async Task A_failed_event_fails_the_renewal_and_a_late_in_progress_event_changes_nothing()
    {
        await using var world = World();
        var renewal = await ConfirmingAsync(world);
        var topup = renewal.Current.Order!.OrderId;
        var early = Event(topup, "inProgress");
        var failed = Event(topup, "failed", reason: "Balance service unavailable");

        var pending = await Callbacks(world).HandleAsync(CarrierId.TMobile, early, Signed(early), Ct);
        var result = await Callbacks(world).HandleAsync(CarrierId.TMobile, failed, Signed(failed), Ct);
        var late = await Callbacks(world).HandleAsync(CarrierId.TMobile, early, Signed(early), Ct);

        Assert.Equal(CallbackOutcome.Unchanged, pending.Outcome);
        Assert.Equal(CallbackOutcome.Applied, result.Outcome);
        var final = await world.Client.GetRenewalAsync(renewal.Id, Ct);
        Assert.Equal(RenewalState.Failed, final!.State); // the carrier took no money it keeps: the top-up failed
        Assert.Equal(RenewalFailureKind.CarrierFailed, final.Failure!.Kind);
        Assert.Equal("Balance service unavailable", final.Failure.Message);
        Assert.NotEqual(CallbackOutcome.Applied, late.Outcome);
        Assert.Equal(final, await world.Client.GetRenewalAsync(renewal.Id, Ct));
    }

    [Fact]
    public async Task A_tampered_body_a_wrong_secret_and_a_missing_or_malformed_signature_are_refused_before_anything_is_applied()
    {
        await using var world = World();
        var renewal = await ConfirmingAsync(world);
        var body = Event(renewal.Current.Order!.OrderId, "completed");
        var tampered = Event(renewal.Current.Order!.OrderId, "failed");
        var signature = Signed(body)["X-Signature"];

        var refused = new[]
        {
            await Callbacks(world).HandleAsync(CarrierId.TMobile, tampered, Signed(body), Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, Signed(body, "hub-secret-0123456789abcdeF"), Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string>(), Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["X-Signature"] = signature[7..] }, Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["X-Signature"] = "sha1=" + signature[7..] }, Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["X-Signature"] = signature[..^2] }, Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["X-Signature"] = signature[..^2] + "zz" }, Ct),
            await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["X-Signature"] = signature + "00" }, Ct),
        };

        Assert.All(refused, r => Assert.Equal(CallbackOutcome.Unauthorized, r.Outcome));
        Assert.All(refused, r => Assert.Equal(401, r.HttpStatusCode));
        Assert.All(refused, r => Assert.DoesNotContain(Secret, r.Message, StringComparison.Ordinal));
        Assert.Equal(RenewalState.Confirming, (await world.Client.GetRenewalAsync(renewal.Id, Ct))!.State);
        Assert.Equal(renewal.Current.Version, (await world.Client.GetRenewalAsync(renewal.Id, Ct))!.Version);

        // The header name is matched whatever its case, and upper-case hex is the same signature.
        var accepted = await Callbacks(world).HandleAsync(CarrierId.TMobile, body, new Dictionary<string, string> { ["x-signature"] = "sha256=" + signature[7..].ToUpperInvariant() }, Ct);
        Assert.Equal(CallbackOutcome.Applied, accepted.Outcome);
    }

    [Fact]
    public async Task Another_event_type_is_ignored_and_without_a_hub_secret_events_are_not_configured()
    {
        await using var world = World();
        await using var unconfigured = World(configured: false);
        var other = Event("tu-1", "completed", eventType: "topupBalanceCreateEvent");
        var body = Event("tu-1", "completed");

        var ignored = await Callbacks(world).HandleAsync(CarrierId.TMobile, other, Signed(other), Ct);
        var notConfigured = await Callbacks(unconfigured).HandleAsync(CarrierId.TMobile, body, Signed(body), Ct);
        var noSuchCarrier = await Callbacks(world).HandleAsync(CarrierId.Att, body, Signed(body), Ct);

        Assert.Equal(CallbackOutcome.Ignored, ignored.Outcome);
        Assert.Equal(200, ignored.HttpStatusCode);
        Assert.Equal(CallbackOutcome.NotConfigured, notConfigured.Outcome);
        Assert.Equal(CallbackOutcome.NotConfigured, noSuchCarrier.Outcome);
    }

    [Fact]
    public void The_hub_secret_never_shows_in_the_options()
    {
        var options = new TMobileOptions { ClientId = "c", HubSecret = Secret };

        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
    }
}
