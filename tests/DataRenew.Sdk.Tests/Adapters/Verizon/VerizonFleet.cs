using System.Globalization;
using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Verizon;

/// <summary>
/// A realistic Verizon-style account, seeded by <see cref="VerizonStub.SeedFleet"/> from what docs/carriers/verizon.md
/// says a realistic server varies ("What a realistic server varies"): ICCIDs of 19 and 20 digits, nine in ten of them
/// failing the Luhn check (as in the field: 225 of 250); devices without an MDN, a billing cycle end, a state, a plan
/// or carrierInformations at all; ids in any order and a kind spelled <c>ICCID</c>; a device known only by its IMEI;
/// every state; informative and unknown fields. The same count and seed give the same fleet.
/// </summary>
internal sealed class VerizonFleet
{
    private static readonly string[] States = ["active", "suspend", "suspended", "deactive", "deactivated", "pre-active", "preactive", "ready", "ACTIVE"];
    private static readonly string[] Plans = ["M2M5GB", "M2M5GB", "M2M10GB", "M2M10GB", "M2MUNL", "M2MTRIAL"];

    private VerizonFleet(IReadOnlyList<VerizonStubDevice> devices) => Devices = devices;

    /// <summary>Every device seeded, in no particular order.</summary>
    public IReadOnlyList<VerizonStubDevice> Devices { get; }

    /// <summary>An active device on 5 GB whose 19-digit ICCID fails the Luhn check.</summary>
    public VerizonStubDevice Active => Devices[Picks.Active];

    /// <summary>A suspended device (<c>"state":"suspend"</c>) whose ICCID fails the Luhn check.</summary>
    public VerizonStubDevice Suspended => Devices[Picks.Suspended];

    /// <summary>An active device that had its 4 plan changes this month, whose ICCID fails the Luhn check.</summary>
    public VerizonStubDevice AtLimit => Devices[Picks.AtLimit];

    /// <summary>A device with no ICCID, known only by its IMEI, on 5 GB with <see cref="ImeiOnlyUsedBytes"/> used this cycle.</summary>
    public VerizonStubDevice ImeiOnly => Devices[Picks.ImeiOnly];

    /// <summary>What <see cref="ImeiOnly"/> used this cycle (a report from before the cycle does not count).</summary>
    public static long ImeiOnlyUsedBytes => 1_000_000_000;

    /// <summary>A fleet of <paramref name="count"/> devices (at least 10: the ones picked out come first).</summary>
    public static VerizonFleet Create(int count, int seed, DateTimeOffset cycleEnd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 10);
        var random = new Random(seed);
        var iccids = new HashSet<string>(StringComparer.Ordinal);
        var devices = new List<VerizonStubDevice>(count);
        for (var i = 0; i < count; i++)
        {
            // One in ten ICCIDs carries a valid check digit; the others are reported without one, or with a wrong one.
            var iccid = StubIccids.Next(random, "891480", i == Picks.Active ? 19 : random.Next(3) == 0 ? 19 : 20, passesLuhn: i % 10 == 0, iccids);
            devices.Add(i switch
            {
                Picks.Active => Device(random, i, Ids(random, i, iccid, mdn: true), "active", "M2M5GB", cycleEnd),
                Picks.Suspended => Device(random, i, Ids(random, i, iccid, mdn: true), "suspend", "M2M5GB", cycleEnd),
                Picks.AtLimit => Device(random, i, Ids(random, i, iccid, mdn: true), "active", "M2M5GB", cycleEnd, planChanges: 4),
                Picks.ImeiOnly => Device(random, i, [("imei", Imei(i))], "active", "M2M5GB", cycleEnd, usage:
                [
                    (cycleEnd.AddMonths(-1).AddDays(-3), 5_000_000_000),
                    (cycleEnd.AddMonths(-1).AddDays(1), 700_000_000),
                    (cycleEnd.AddMonths(-1).AddDays(2), 300_000_000),
                ]),

                // The spec's second example device: only an ICCID, no billingCycleEndDate, no state.
                5 => Device(random, i, [("iccid", iccid)], null, "M2M5GB", null),
                6 => Device(random, i, Ids(random, i, iccid, mdn: true), null, null, cycleEnd, carrierInformations: false),
                7 => Device(random, i, Ids(random, i, iccid, mdn: false), "active", null, cycleEnd),
                8 => Device(random, i, [("mdn", Mdn(i)), ("imei", Imei(i)), ("ICCID", iccid)], "active", "M2M10GB", cycleEnd),
                _ => Any(random, i, iccid, cycleEnd),
            });
        }

        return new VerizonFleet(devices);
    }

    private static VerizonStubDevice Any(Random random, int i, string iccid, DateTimeOffset cycleEnd)
    {
        var state = random.Next(10) switch
        {
            < 6 => "active",
            6 => null,
            _ => States[random.Next(States.Length)],
        };
        return Device(
            random,
            i,
            Ids(random, i, iccid, mdn: random.Next(10) < 7),
            state,
            random.Next(20) == 0 ? null : Plans[random.Next(Plans.Length)],
            random.Next(10) == 0 ? null : cycleEnd,
            carrierInformations: random.Next(30) != 0);
    }

    private static VerizonStubDevice Device(
        Random random,
        int i,
        List<(string Kind, string Id)> ids,
        string? state,
        string? plan,
        DateTimeOffset? cycleEnd,
        bool carrierInformations = true,
        int planChanges = 0,
        (DateTimeOffset At, long Bytes)[]? usage = null) =>
        new()
        {
            Ids = ids,
            State = state,
            Plan = plan,
            HasCarrierInformations = carrierInformations,
            CycleEnd = cycleEnd,
            PlanChanges = planChanges,
            Usage = usage ?? [],
            PageOrder = random.Next(),
            Extra = Extra(random, i),
            CarrierExtra = random.Next(5) == 0 ? new Dictionary<string, JsonNode?> { ["futureField"] = new JsonObject { ["x"] = new JsonArray(1, 2) } } : new Dictionary<string, JsonNode?>(),
        };

    // The ICCID among the device's other ids, in any position; a kind the spec does not list now and then (ignored).
    private static List<(string Kind, string Id)> Ids(Random random, int i, string iccid, bool mdn)
    {
        var ids = new List<(string Kind, string Id)> { ("iccid", iccid) };
        if (mdn)
        {
            ids.Add(("mdn", Mdn(i)));
        }

        if (random.Next(5) != 0)
        {
            ids.Add(("imei", Imei(i)));
        }

        if (random.Next(10) == 0)
        {
            ids.Add(("eid", "8904903200" + i.ToString("D22", CultureInfo.InvariantCulture)));
        }

        return [.. ids.OrderBy(_ => random.Next())];
    }

    // The informative fields the spec names, each present or not, and unknown ones.
    private static Dictionary<string, JsonNode?> Extra(Random random, int i)
    {
        var extra = new Dictionary<string, JsonNode?>();
        if (random.Next(4) != 0)
        {
            extra["connected"] = random.Next(2) == 0;
            extra["createdAt"] = "2025-01-02T03:04:05Z";
            extra["lastActivationDate"] = "2025-01-02T03:04:05.123Z";
        }

        if (random.Next(2) == 0)
        {
            extra["ipAddress"] = "10.0." + (i / 250).ToString(CultureInfo.InvariantCulture) + "." + (i % 250).ToString(CultureInfo.InvariantCulture);
            extra["extendedAttributes"] = new JsonArray();
        }

        if (random.Next(5) == 0)
        {
            extra["groupNames"] = new JsonArray("Fleet " + (char)('A' + random.Next(3)));
            extra["futureField"] = new JsonObject { ["x"] = new JsonArray(1, 2), ["y"] = null };
        }

        return extra;
    }

    private static string Mdn(int i) => (2025550000 + i).ToString(CultureInfo.InvariantCulture);

    private static string Imei(int i) => "3569380" + i.ToString("D8", CultureInfo.InvariantCulture);

    // The devices the tests pick out, first in the fleet; index 0 holds an ICCID that passes the check.
    private static class Picks
    {
        public const int Active = 1;
        public const int Suspended = 2;
        public const int AtLimit = 3;
        public const int ImeiOnly = 4;
    }
}
