using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>
/// One device on the AT&amp;T stub, served as docs/carriers/att.md defines it: a list item (<c>iccid</c>, <c>status</c>,
/// <c>ratePlan</c>, <c>communicationPlan</c>, <c>dateUpdated</c>), the details, and cycle-to-date usage. Only the ICCID
/// is always there; a <see langword="null"/> here is a field the stub leaves out, or sends as <c>null</c> where
/// <see cref="SendsNulls"/> says so (the spec allows both).
/// </summary>
internal sealed class AttStubDevice
{
    /// <summary>The key of every per-device resource, as the carrier reports it.</summary>
    public required string Iccid { get; init; }

    public string? Status { get; init; }

    /// <summary>The rate plan's name; changed by a plan change.</summary>
    public string? RatePlan { get; set; }

    /// <summary>Digits with the country code and no <c>+</c>, only in the details.</summary>
    public string? Msisdn { get; init; }

    public string? Imsi { get; init; }

    public string? Imei { get; init; }

    /// <summary>In the details, in Control Center's <c>yyyy-MM-dd HH:mm:ss.fff±HHMM</c>.</summary>
    public string? DateActivated { get; init; }

    /// <summary>On the list item (optional), same format.</summary>
    public string? DateUpdated { get; init; }

    /// <summary>Missing details are sent as <c>null</c> rather than left out.</summary>
    public bool SendsNulls { get; init; }

    public long UsedBytes { get; init; }

    /// <summary>A scheduled plan change not applied yet, and the device reads that still show the old plan.</summary>
    public string? Scheduled { get; set; }

    public int ReadsBeforeApplied { get; set; }

    /// <summary>Unknown fields on the list item and the details (the spec: ignored, not refused).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extra { get; init; } = new Dictionary<string, JsonNode?>();

    public JsonObject ToListItem()
    {
        var item = new JsonObject { ["iccid"] = Iccid };
        Add(item, "status", Status, always: false);
        Add(item, "ratePlan", RatePlan, always: false);
        item["communicationPlan"] = "CP Basic";
        Add(item, "dateUpdated", DateUpdated, always: false);
        return WithExtra(item);
    }

    public JsonObject ToDetails()
    {
        var details = new JsonObject { ["iccid"] = Iccid };
        Add(details, "imsi", Imsi, SendsNulls);
        Add(details, "msisdn", Msisdn, SendsNulls);
        Add(details, "imei", Imei, SendsNulls);
        Add(details, "status", Status, SendsNulls);
        Add(details, "ratePlan", RatePlan, SendsNulls);
        details["communicationPlan"] = "CP Basic";
        Add(details, "dateActivated", DateActivated, SendsNulls);
        details["customer"] = "ACME";
        details["accountId"] = "100200300";
        details["fixedIPAddress"] = null;
        return WithExtra(details);
    }

    public JsonObject ToUsage()
    {
        var usage = new JsonObject { ["iccid"] = Iccid };
        Add(usage, "ratePlan", RatePlan, always: false);
        usage["ctdDataUsage"] = UsedBytes;
        usage["ctdSMSUsage"] = 3;
        usage["ctdVoiceUsage"] = 60;
        usage["ctdSessionCount"] = 12;
        usage["overageLimitReached"] = false;
        return usage;
    }

    private static void Add(JsonObject target, string name, string? value, bool always)
    {
        if (value is not null || always)
        {
            target[name] = value;
        }
    }

    private JsonObject WithExtra(JsonObject target)
    {
        foreach (var (name, value) in Extra)
        {
            target[name] = value?.DeepClone();
        }

        return target;
    }
}
