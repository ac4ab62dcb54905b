using DataRenew.Sdk;
using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.ResumeHost;

/// <summary>
/// Short timings for the resume test, shared by the test's own client and this host so that both judge leases
/// and deadlines alike (the test project compiles this file too): a lease of 2.5 s (the host outwaits it in real time, twice for an order in doubt), fast polls.
/// </summary>
internal static class ResumeTiming
{
    /// <summary>How long a client holds a renewal after a write before a send.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2.5);

    /// <summary>Applies the timings to the SDK's options.</summary>
    public static void Apply(DataRenewOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.LeaseDuration = Lease;
        options.ConfirmationTimeout = Lease + TimeSpan.FromSeconds(0.5);
        options.PollInitialDelay = TimeSpan.FromMilliseconds(20);
        options.PollMaxDelay = TimeSpan.FromMilliseconds(100);
        options.PollJitter = false;
    }

    /// <summary>Applies the timings to the adapter's resilience: every send ends well within the lease.</summary>
    public static void Apply(CarrierResilienceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AttemptTimeout = TimeSpan.FromSeconds(1.25);
        options.TotalTimeout = TimeSpan.FromSeconds(1.25);
        options.RetryBaseDelay = TimeSpan.Zero;
    }
}
