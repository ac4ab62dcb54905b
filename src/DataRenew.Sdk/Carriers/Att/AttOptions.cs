using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.Att;

/// <summary>
/// Settings of the AT&amp;T-style adapter (Cisco IoT Control Center REST v1 style). The credentials are not here:
/// each person signs in with their username and API key. One registration serves one account's rate limit: the
/// carrier allows one call in flight per account, so <see cref="CarrierHttpOptions.Resilience"/>'s
/// <see cref="CarrierResilienceOptions.MaxConcurrentCalls"/> defaults to 1 and must stay set.
/// </summary>
public sealed class AttOptions : CarrierHttpOptions
{
    /// <summary>Creates the options with the style's defaults (one call in flight).</summary>
    public AttOptions() => Resilience.MaxConcurrentCalls = 1;

    /// <summary>Devices per listing page, 1 to 50 (the carrier's limit). Default 50.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Whom to contact about an order, shown on receipts. Default "AT&amp;T business support".</summary>
    public string SupportContact { get; set; } = "AT&T business support";

    /// <inheritdoc />
    public override IEnumerable<string> Validate(TimeSpan leaseDuration)
    {
        foreach (var problem in base.Validate(leaseDuration))
        {
            yield return problem;
        }

        if (Resilience is not { MaxConcurrentCalls: >= 1 })
        {
            yield return "Resilience.MaxConcurrentCalls must be set to 1 or more: the carrier throttles calls that overlap, so the adapter serialises them.";
        }

        if (PageSize is < 1 or > 50)
        {
            yield return "PageSize must be between 1 and 50.";
        }
    }
}
