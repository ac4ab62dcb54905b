namespace DataRenew.Sdk.Testing;

/// <summary>
/// What <see cref="FakeCarrier.CreateDemo"/> seeds: four plans (5 GB, 10 GB, 20 GB, unlimited), two
/// promotions (25 % off 10 GB for a week; 5 GB extra on 20 GB), and one account with a physical SIM and
/// an eSIM bound to <see cref="ESimNumber"/>.
/// </summary>
public static class FakeCarrierSeed
{
    /// <summary>The demo account's username.</summary>
    public const string Username = "demo";

    /// <summary>The demo account's password.</summary>
    public const string Password = "demo-password-1";

    /// <summary>The demo account's number.</summary>
    public const string AccountId = "ACC-2024-001937";

    /// <summary>The physical SIM's ICCID.</summary>
    public static Iccid PhysicalIccid { get; } = Iccid.Parse("8914800000000000014");

    /// <summary>The physical SIM's line id (its ICCID's digits).</summary>
    public static LineId PhysicalLine { get; } = LineId.Of(PhysicalIccid);

    /// <summary>The physical SIM's number.</summary>
    public static PhoneNumber PhysicalNumber { get; } = PhoneNumber.Parse("(202) 555-0188");

    /// <summary>The eSIM's ICCID.</summary>
    public static Iccid ESimIccid { get; } = Iccid.Parse("8914800000000000022");

    /// <summary>The eSIM's line id (its ICCID's digits).</summary>
    public static LineId ESimLine { get; } = LineId.Of(ESimIccid);

    /// <summary>The number the eSIM is bound to (sign in with a one-time code).</summary>
    public static PhoneNumber ESimNumber { get; } = PhoneNumber.Parse("+1 202 555 0143");

    /// <summary>5 GB for 30 days, $30.</summary>
    public static Plan Plan5Gb { get; } = new(new PlanCode("FAKE-5GB"), "5 GB · 30 days", DataAmount.FromGigabytes(5), Money.Usd(30m), 30);

    /// <summary>10 GB for 30 days, $40.</summary>
    public static Plan Plan10Gb { get; } = new(new PlanCode("FAKE-10GB"), "10 GB · 30 days", DataAmount.FromGigabytes(10), Money.Usd(40m), 30);

    /// <summary>20 GB for 30 days, $55.</summary>
    public static Plan Plan20Gb { get; } = new(new PlanCode("FAKE-20GB"), "20 GB · 30 days", DataAmount.FromGigabytes(20), Money.Usd(55m), 30);

    /// <summary>Unlimited for 30 days, $70.</summary>
    public static Plan PlanUnlimited { get; } = new(new PlanCode("FAKE-UNL"), "Unlimited · 30 days", DataAmount.Unlimited, Money.Usd(70m), 30);

    internal static void Seed(FakeCarrier carrier)
    {
        var now = carrier.Time.GetUtcNow();
        carrier.AddPlan(Plan10Gb).AddPlan(Plan20Gb).AddPlan(PlanUnlimited)
            .AddPromotion(Promotion.PercentOff("promo-10gb-25", "25% off 10 GB this week", 25m, [Plan10Gb.Code], validUntil: now.AddDays(7)))
            .AddPromotion(Promotion.ExtraData("promo-20gb-bonus", "Buy 20 GB, get 5 GB more", DataAmount.FromGigabytes(5), [Plan20Gb.Code]));
        carrier.AddAccount(Username, Password, AccountId, "Demo Household")
            .AddLine(PhysicalIccid, PhysicalNumber, SimKind.Physical, Plan5Gb, DataAmount.FromGigabytes(3.8m), cycleStartedDaysAgo: 24)
            .AddLine(ESimIccid, ESimNumber, SimKind.ESim, Plan5Gb, DataAmount.FromMegabytes(850), cycleStartedDaysAgo: 9);
    }
}
