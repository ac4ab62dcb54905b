using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DataRenew.Sdk.Diagnostics;

/// <summary>The SDK's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>DataRenew.Sdk</c>.</summary>
public static class DataRenewDiagnostics
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "DataRenew.Sdk";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(DataRenewDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(Name, typeof(DataRenewDiagnostics).Assembly.GetName().Version?.ToString());

    /// <summary>One activity per logical operation, tagged with the carrier; null when nobody listens.</summary>
    internal static Activity? StartActivity(string operation, CarrierId? carrier)
    {
        var activity = ActivitySource.StartActivity("DataRenew." + operation);
        activity?.SetTag("datarenew.operation", operation);
        activity?.SetTag("datarenew.carrier", carrier?.Value);
        return activity;
    }

    internal static readonly Counter<long> RenewalsStarted = Meter.CreateCounter<long>("datarenew.renewals.started", "{renewal}", "Renewals started.");

    internal static readonly Counter<long> RenewalsFinished = Meter.CreateCounter<long>("datarenew.renewals.finished", "{renewal}", "Renewals that reached a final state, by state.");

    internal static readonly Counter<long> PaymentOutcomes = Meter.CreateCounter<long>("datarenew.payments", "{payment}", "Charges sent, by outcome.");

    internal static readonly Counter<long> Refunds = Meter.CreateCounter<long>("datarenew.refunds", "{refund}", "Refunds made after a carrier refused an order.");
}
