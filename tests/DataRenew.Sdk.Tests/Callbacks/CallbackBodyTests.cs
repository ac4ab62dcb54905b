using System.Text;
using DataRenew.Sdk.Callbacks;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Callbacks;

/// <summary>Hostile bodies: every one gives a typed result, none an exception, and nothing is applied.</summary>
public sealed class CallbackBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Hostile =
    [
        "",
        "null",
        "[]",
        "\"just a string\"",
        "<html>502 Bad Gateway</html>",
        "{",
        "{\"requestId\":",
        "{\"requestId\":12,\"status\":[],\"username\":{},\"password\":true}",
        "{\"eventType\":\"topupBalanceStateChangeEvent\",\"event\":{\"topupBalance\":{\"id\":\"\"}}}",
        "{\"eventType\":\"topupBalanceStateChangeEvent\",\"event\":{\"topupBalance\":null}}",
        "{\"eventType\":\"topupBalanceStateChangeEvent\",\"event\":\"x\"}",
        "{\"eventType\":\"topupBalanceStateChangeEvent\",\"event\":{\"topupBalance\":{\"id\":\"tu-1\",\"confirmationDate\":\"yesterday\"}}}",
        "{\"eventType\":\"topupBalanceStateChangeEvent\",\"event\":{\"topupBalance\":{\"id\":\"" + new string('9', 5000) + "\",\"status\":\"completed\"}}}",
        new string('[', 10_000) + new string(']', 10_000),
        "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 500)) + "1" + new string('}', 501),
    ];

    [Fact]
    public async Task Hostile_Verizon_bodies_are_typed_refusals()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub, o =>
        {
            o.CallbackUsername = VerizonCallbackTests.User;
            o.CallbackPassword = VerizonCallbackTests.Pass;
        });

        foreach (var text in Hostile)
        {
            var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, Encoding.UTF8.GetBytes(text), new Dictionary<string, string>(), Ct);

            Assert.Contains(result.Outcome, new[] { CallbackOutcome.Malformed, CallbackOutcome.Unauthorized });
            Assert.False(result.Handled);
        }
    }

    [Fact]
    public async Task Hostile_but_signed_hub_events_are_typed_refusals()
    {
        await using var world = new TMobileWorld(configure: o => o.HubSecret = TMobileHubEventTests.Secret);
        var handler = world.Services.GetRequiredService<ICarrierCallbackHandler>();

        foreach (var text in Hostile)
        {
            var body = Encoding.UTF8.GetBytes(text);
            var result = await handler.HandleAsync(CarrierId.TMobile, body, TMobileHubEventTests.Signed(body), Ct);

            Assert.Contains(result.Outcome, new[] { CallbackOutcome.Malformed, CallbackOutcome.Ignored });
        }
    }

    [Fact]
    public async Task Invalid_UTF8_and_an_oversized_body_are_refused_without_reading_them_as_callbacks()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub, o =>
        {
            o.CallbackUsername = VerizonCallbackTests.User;
            o.CallbackPassword = VerizonCallbackTests.Pass;
        });
        byte[] invalid = [.. "{\"username\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var huge = VerizonCallbackTests.Body("r-" + new string('1', CarrierCallbacks.MaxBodyBytes), "Success");

        var bad = await host.Callbacks.HandleAsync(CarrierId.Verizon, invalid, new Dictionary<string, string>(), Ct);
        var tooLarge = await host.Callbacks.HandleAsync(CarrierId.Verizon, huge, new Dictionary<string, string>(), Ct);

        Assert.Equal(CallbackOutcome.Malformed, bad.Outcome);
        Assert.Equal(CallbackOutcome.TooLarge, tooLarge.Outcome);
        Assert.Equal(413, tooLarge.HttpStatusCode);
    }
}
