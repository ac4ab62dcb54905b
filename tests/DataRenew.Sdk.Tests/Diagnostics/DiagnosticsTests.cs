using System.Diagnostics;
using DataRenew.Sdk.Diagnostics;
using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DataRenew.Sdk.Tests.Diagnostics;

/// <summary>The meter and activity source named "DataRenew.Sdk" report renewals by carrier and outcome.</summary>
public sealed class DiagnosticsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Renewals_are_counted_by_carrier_and_final_state_and_traced_per_operation()
    {
        // A carrier id of its own keeps this test's measurements apart from tests running in parallel.
        var carrierId = new CarrierId("diagnostics-test");
        using var started = new MetricCollector<long>(null, DataRenewDiagnostics.Name, "datarenew.renewals.started");
        using var finished = new MetricCollector<long>(null, DataRenewDiagnostics.Name, "datarenew.renewals.finished");
        using var payments = new MetricCollector<long>(null, DataRenewDiagnostics.Name, "datarenew.payments");
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == DataRenewDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var carrier = FakeCarrier.CreateDemo(time, new FakeCarrierOptions { Id = carrierId, DefaultPendingPolls = 0 });
        var client = new DataRenewClient([carrier], new InMemoryRenewalJournal(), Options.Create(new DataRenewOptions()), time, new FakePaymentGateway(time));
        var session = await client.SignInAsync(carrierId, new PasswordCredentials(FakeCarrierSeed.Username, FakeCarrierSeed.Password), Ct);
        var line = await client.GetLinesAsync(session, Ct).FirstAsync(Ct);
        var quote = await client.CreateQuoteAsync(session, line, FakeCarrierSeed.Plan5Gb.Code, Ct);

        var completed = await client.StartRenewalAsync(session, new RenewalRequest(quote, Payments.PaymentMethod.CreditCard("4242424242424242", 1, 2031, "123")), Ct);
        var declined = await client.StartRenewalAsync(session, new RenewalRequest(quote, Payments.PaymentMethod.CreditCard(FakePaymentGateway.DeclinedCard, 1, 2031, "123")), Ct);

        Assert.Equal(RenewalState.Completed, completed.State);
        Assert.Equal(RenewalState.Failed, declined.State);
        bool Mine(CollectedMeasurement<long> m) => Equals(m.Tags["carrier"], carrierId.Value);
        Assert.Equal(2, started.GetMeasurementSnapshot().Where(Mine).Sum(m => m.Value));
        Assert.Equal(["Completed", "Failed"], finished.GetMeasurementSnapshot().Where(Mine).Select(m => (string)m.Tags["state"]!).Order());
        Assert.Equal(["Declined", "Succeeded"], payments.GetMeasurementSnapshot().Where(Mine).Select(m => (string)m.Tags["status"]!).Order());

        Activity[] mine;
        lock (activities)
        {
            mine = activities.Where(a => Equals(a.GetTagItem("datarenew.carrier"), carrierId.Value)).ToArray();
        }

        Assert.Contains(mine, a => a.OperationName == "DataRenew.SignIn");
        Assert.Contains(mine, a => a.OperationName == "DataRenew.CreateQuote");
        Assert.Equal(2, mine.Count(a => a.OperationName == "DataRenew.StartRenewal"));
        Assert.Contains(mine, a => a.OperationName == "DataRenew.DriveRenewal" && Equals(a.GetTagItem("datarenew.renewal_id"), completed.Id.Value));
    }
}
