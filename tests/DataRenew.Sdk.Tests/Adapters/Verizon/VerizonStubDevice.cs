using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>
/// One device on the Verizon stub, served as docs/carriers/verizon.md ("Device list") defines a device: its
/// <c>deviceIds</c>, and optional <c>billingCycleEndDate</c>, <c>carrierInformations</c> (<c>servicePlan</c>,
/// <c>state</c>) and informative or unknown fields. A <see langword="null"/> here is a field the stub leaves out.
/// </summary>
internal sealed class VerizonStubDevice
{
    /// <summary>The <c>{id, kind}</c> pairs in the order served, each kind spelled as served (the spec compares kinds without case).</summary>
    public required IReadOnlyList<(string Kind, string Id)> Ids { get; init; }

    /// <summary><c>carrierInformations[0].state</c>; <see langword="null"/>: no state field.</summary>
    public string? State { get; init; }

    /// <summary><c>carrierInformations[0].servicePlan</c>, the plan code; <see langword="null"/>: no servicePlan field.</summary>
    public string? Plan { get; set; }

    /// <summary>Whether the device has a <c>carrierInformations</c> array at all (without it, neither plan nor state is served).</summary>
    public bool HasCarrierInformations { get; init; } = true;

    /// <summary><c>billingCycleEndDate</c>; <see langword="null"/>: not served (the remaining data cannot be computed).</summary>
    public DateTimeOffset? CycleEnd { get; init; }

    /// <summary>Usage reports: bytes at a moment.</summary>
    public IReadOnlyList<(DateTimeOffset At, long Bytes)> Usage { get; init; } = [];

    /// <summary>Plan changes that ended Success this month (the fifth is refused).</summary>
    public int PlanChanges { get; set; }

    /// <summary>Where the device sits within its page: the spec's pages are not sorted.</summary>
    public int PageOrder { get; init; }

    /// <summary>Informative and unknown fields served with the device (the spec: unknown fields are ignored, at any depth).</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extra { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Unknown fields served inside the <c>carrierInformations</c> entry.</summary>
    public IReadOnlyDictionary<string, JsonNode?> CarrierExtra { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The ICCID (kind <c>iccid</c>, in any case), as served; <see langword="null"/> when the device has none.</summary>
    public string? Iccid => IdOf("iccid");

    /// <summary>The id of one kind (compared without case), as served.</summary>
    public string? IdOf(string kind) => Ids.Where(i => string.Equals(i.Kind, kind, StringComparison.OrdinalIgnoreCase)).Select(i => i.Id).FirstOrDefault();

    /// <summary>Whether the pair names this device: kind without regard to case, id exactly after trimming (spec, "Identifiers").</summary>
    public bool Has(string? kind, string? id) =>
        kind is not null && id is not null && Ids.Any(i => string.Equals(i.Kind, kind.Trim(), StringComparison.OrdinalIgnoreCase) && i.Id.Trim() == id.Trim());

    /// <summary>The device-list entry.</summary>
    public JsonObject ToJson(string accountName)
    {
        var device = new JsonObject { ["accountName"] = accountName };
        if (CycleEnd is { } end)
        {
            device["billingCycleEndDate"] = end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (HasCarrierInformations)
        {
            var information = new JsonObject { ["carrierName"] = "Verizon Wireless" };
            if (Plan is not null)
            {
                information["servicePlan"] = Plan;
            }

            if (State is not null)
            {
                information["state"] = State;
            }

            Add(information, CarrierExtra);
            device["carrierInformations"] = new JsonArray(information);
        }

        device["deviceIds"] = new JsonArray(Ids.Select(i => new JsonObject { ["id"] = i.Id, ["kind"] = i.Kind }).ToArray<JsonNode?>());
        Add(device, Extra);
        return device;
    }

    private static void Add(JsonObject target, IReadOnlyDictionary<string, JsonNode?> fields)
    {
        foreach (var (name, value) in fields)
        {
            target[name] = value?.DeepClone();
        }
    }
}
