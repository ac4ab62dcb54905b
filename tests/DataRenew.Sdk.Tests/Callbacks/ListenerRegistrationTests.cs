using DataRenew.Sdk.Tests.Adapters.Att;
using DataRenew.Sdk.Tests.Adapters.TMobile;
using DataRenew.Sdk.Tests.Adapters.Verizon;

namespace DataRenew.Sdk.Tests.Callbacks;

/// <summary>Registering the app's callback listener with the carrier: what the carrier is told, and what is refused before any call.</summary>
public sealed class ListenerRegistrationTests
{
    private static readonly Uri Listener = new("https://app.example/callbacks/verizon");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_Verizon_style_CarrierService_listener_is_registered_with_the_credentials_its_deliveries_must_carry()
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub, o => (o.CallbackUsername, o.CallbackPassword) = (VerizonCallbackTests.User, VerizonCallbackTests.Pass));
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);

        var id = await host.Client.RegisterCallbackListenerAsync(session, Listener, Ct);
        await host.Client.RegisterCallbackListenerAsync(session, Listener, Ct); // again: the named listener is replaced, not added

        Assert.Equal("CarrierService", id);
        var registered = Assert.Single(stub.CallbackListeners).Value;
        Assert.Equal(Listener.AbsoluteUri, (string?)registered["url"]);
        Assert.Equal(VerizonCallbackTests.User, (string?)registered["username"]);
        Assert.Equal(VerizonCallbackTests.Pass, (string?)registered["password"]);

        // What the carrier was told is what the listener checks: a delivery with those credentials is taken.
        var result = await host.Callbacks.HandleAsync(CarrierId.Verizon, VerizonCallbackTests.Body("no-such-request", "Success", (string)registered["username"]!, (string)registered["password"]!), new Dictionary<string, string>(), Ct);
        Assert.Equal(global::DataRenew.Sdk.Callbacks.CallbackOutcome.UnknownOrder, result.Outcome); // verified, then looked up
    }

    [Fact]
    public async Task The_T_Mobile_style_hub_is_registered_with_the_apps_token_and_gives_its_id()
    {
        await using var world = new TMobileWorld(configure: o => o.HubSecret = TMobileHubEventTests.Secret);
        var session = await world.SignInClientAsync();

        var id = await world.Client.RegisterCallbackListenerAsync(session, new Uri("https://app.example/hub"), Ct);

        Assert.Equal("hub-1", id);
        Assert.Equal("https://app.example/hub", Assert.Single(world.Stub.Hubs));
        Assert.Empty(world.Stub.PopRefusals);
    }

    [Theory]
    [InlineData("http://app.example/callbacks")]
    [InlineData("https://user:secret@app.example/callbacks")]
    [InlineData("https://app.example/callbacks#fragment")]
    [InlineData("/callbacks")]
    public async Task A_listener_address_that_is_not_plain_absolute_https_is_refused_before_any_call(string address)
    {
        using var stub = new VerizonStub();
        await using var host = new VerizonTestHost(stub, o => (o.CallbackUsername, o.CallbackPassword) = (VerizonCallbackTests.User, VerizonCallbackTests.Pass));
        var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
        var calls = stub.RequestCount;

        var error = await Assert.ThrowsAsync<DataRenewValidationException>(() => host.Client.RegisterCallbackListenerAsync(session, new Uri(address, UriKind.RelativeOrAbsolute), Ct));

        Assert.Equal("listenerUrl", error.ParameterName);
        Assert.Equal(calls, stub.RequestCount);
    }

    [Fact]
    public async Task Without_the_listeners_settings_or_at_a_carrier_without_callbacks_registration_is_refused_before_any_call()
    {
        using var stub = new VerizonStub();
        await using (var host = new VerizonTestHost(stub))
        {
            var session = await host.Client.SignInAsync(CarrierId.Verizon, VerizonTestHost.Credentials, Ct);
            var calls = stub.RequestCount;

            await Assert.ThrowsAsync<DataRenewValidationException>(() => host.Client.RegisterCallbackListenerAsync(session, Listener, Ct));

            Assert.Equal(calls, stub.RequestCount);
            Assert.Empty(stub.CallbackListeners);
        }

        await using (var world = new TMobileWorld())
        {
            var session = await world.SignInClientAsync();
            await Assert.ThrowsAsync<DataRenewValidationException>(() => world.Client.RegisterCallbackListenerAsync(session, Listener, Ct));
            Assert.Empty(world.Stub.Hubs);
        }

        await using var att = new AttWorld();
        var attSession = await att.ClientSignInAsync();
        var refused = await Assert.ThrowsAsync<DataRenewValidationException>(() => att.Client.RegisterCallbackListenerAsync(attSession, Listener, Ct));
        Assert.Contains("polling", refused.Message, StringComparison.Ordinal);
    }
}
