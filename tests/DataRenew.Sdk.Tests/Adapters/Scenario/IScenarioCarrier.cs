using DataRenew.Sdk.Payments;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Adapters.Scenario;

/// <summary>
/// A carrier the provider-neutral renewal scenario can run against: the fake, or an adapter talking to its
/// WireMock.Net stub. The scenario only uses DataRenewClient; this says how to register and sign in.
/// </summary>
public interface IScenarioCarrier : IAsyncDisposable
{
    /// <summary>The carrier's id.</summary>
    CarrierId Carrier { get; }

    /// <summary>Adds the carrier (and whatever it needs) to the SDK.</summary>
    void Register(DataRenewBuilder builder);

    /// <summary>Signs in the way this carrier's subscriber does.</summary>
    Task<DataRenewSession> SignInAsync(DataRenewClient client, CancellationToken cancellationToken);

    /// <summary>The line to renew.</summary>
    LineId Line { get; }

    /// <summary>The plan to renew with.</summary>
    PlanCode Plan { get; }

    /// <summary>The payment method this carrier takes for the scenario.</summary>
    PaymentMethod Payment { get; }

    /// <summary>The carrier accepts the next order and then reports it failed.</summary>
    void FailNextOrder();

    /// <summary>How many orders (plan changes, top-ups) reached the carrier so far.</summary>
    int OrdersReceived { get; }
}
