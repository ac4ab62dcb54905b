using System.Globalization;
using System.Text.Json.Nodes;

namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>
/// A realistic AT&amp;T-style account, seeded by <see cref="AttStub.SeedFleet"/> from what docs/carriers/att.md says a
/// realistic server varies: ICCIDs of 19 and 20 digits, nine in ten failing the Luhn check; every status of the spec;
/// devices without a rate plan, without an msisdn (null or absent), or without dateActivated, imsi and imei; dates
/// with other offsets than +0000; unknown fields. The listing keeps one order across its pages, shuffled by the seed.
/// The same count and seed give the same fleet.
/// </summary>
internal sealed class AttFleet
{
    /// <summary>The statuses of the spec's table; the style has no SUSPENDED.</summary>
    public static readonly string[] Statuses = ["ACTIVATED", "ACTIVATION_READY", "INVENTORY", "TEST_READY", "DEACTIVATED", "RETIRED", "PURGED", "REPLACED"];

    private static readonly string[] RatePlans = ["ATT 1GB", "ATT 5GB", "ATT 5GB", "ATT 10GB", "ATT Unlimited"];

    private AttFleet(IReadOnlyList<AttStubDevice> devices, AttStubDevice active)
    {
        Devices = devices;
        Active = active;
    }

    /// <summary>Every device seeded, in the order the listing serves them.</summary>
    public IReadOnlyList<AttStubDevice> Devices { get; }

    /// <summary>An activated device on 5 GB, with a number, whose 19-digit ICCID fails the Luhn check.</summary>
    public AttStubDevice Active { get; }

    /// <summary>A fleet of <paramref name="count"/> devices (at least 15: the ones that show each variation come first).</summary>
    public static AttFleet Create(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 15);
        var random = new Random(seed);
        var iccids = new HashSet<string>(StringComparer.Ordinal);
        var devices = new List<AttStubDevice>(count);
        for (var i = 0; i < count; i++)
        {
            // One in ten ICCIDs carries a valid check digit; the others are reported without one, or with a wrong one.
            var iccid = StubIccids.Next(random, "890141", i == 1 ? 19 : random.Next(3) == 0 ? 19 : 20, passesLuhn: i % 10 == 0, iccids);
            devices.Add(i switch
            {
                1 => Device(random, i, iccid, "ACTIVATED", "ATT 5GB", number: true),

                // Each status of the spec once, then the optional details left out one way or another.
                >= 2 and <= 9 => Device(random, i, iccid, Statuses[i - 2], RatePlans[random.Next(RatePlans.Length)], number: i == 2),
                11 => Device(random, i, iccid, "ACTIVATED", null, number: true),
                12 => Device(random, i, iccid, "ACTIVATION_READY", "ATT 1GB", number: false, sendsNulls: true),
                13 => Device(random, i, iccid, "ACTIVATED", "ATT 5GB", number: false, sendsNulls: false, details: false),
                _ => Any(random, i, iccid),
            });
        }

        var active = devices[1];
        return new AttFleet([.. devices.OrderBy(_ => random.Next())], active);
    }

    private static AttStubDevice Any(Random random, int i, string iccid)
    {
        var status = random.Next(10) < 6 ? "ACTIVATED" : Statuses[random.Next(Statuses.Length)];
        return Device(
            random,
            i,
            iccid,
            status,
            random.Next(20) == 0 ? null : RatePlans[random.Next(RatePlans.Length)],
            number: random.Next(10) < (status == "ACTIVATED" ? 9 : 1),
            sendsNulls: random.Next(2) == 0,
            details: random.Next(10) != 0);
    }

    private static AttStubDevice Device(Random random, int i, string iccid, string status, string? ratePlan, bool number, bool sendsNulls = true, bool details = true) =>
        new()
        {
            Iccid = iccid,
            Status = status,
            RatePlan = ratePlan,
            Msisdn = number ? (12025560000 + i).ToString(CultureInfo.InvariantCulture) : null,
            Imsi = details ? "31017" + i.ToString("D10", CultureInfo.InvariantCulture) : null,
            Imei = details ? "35000000" + i.ToString("D7", CultureInfo.InvariantCulture) : null,
            DateActivated = details && status == "ACTIVATED" ? Date(random, 2025) : null,
            DateUpdated = random.Next(10) < 7 ? Date(random, 2026) : null,
            SendsNulls = sendsNulls,
            UsedBytes = status == "ACTIVATED" ? random.NextInt64(0, 6_000_000_000) : 0,
            Extra = random.Next(5) == 0
                ? new Dictionary<string, JsonNode?> { ["futureField"] = new JsonObject { ["x"] = new JsonArray(1, 2) }, ["overageLimitOverride"] = "DEFAULT" }
                : new Dictionary<string, JsonNode?>(),
        };

    // Control Center's format; the offset is usually +0000, but any ±HHMM is valid.
    private static string Date(Random random, int year) =>
        new DateTime(year, 1 + random.Next(12), 1 + random.Next(28), random.Next(24), random.Next(60), random.Next(60), random.Next(1000), DateTimeKind.Unspecified)
            .ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)
        + (random.Next(5) == 0 ? "-0500" : "+0000");
}
