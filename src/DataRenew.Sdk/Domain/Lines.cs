namespace DataRenew.Sdk;

/// <summary>Whether a SIM is a physical card or an eSIM profile.</summary>
public enum SimKind
{
    /// <summary>A physical SIM card.</summary>
    Physical,

    /// <summary>An embedded SIM profile, usually bound to a phone number.</summary>
    ESim,
}

/// <summary>The state of a line as the carrier reports it.</summary>
public enum LineStatus
{
    /// <summary>The carrier sent a state the SDK does not know.</summary>
    Unknown,

    /// <summary>In service.</summary>
    Active,

    /// <summary>Suspended: most carriers refuse plan changes.</summary>
    Suspended,

    /// <summary>Ready to activate, or deactivated.</summary>
    Inactive,
}

/// <summary>A carrier account that a person signed in to.</summary>
public sealed record Account
{
    /// <summary>Creates an account.</summary>
    public Account(CarrierId carrier, string accountId, string displayName)
    {
        Carrier = carrier;
        AccountId = string.IsNullOrWhiteSpace(accountId) ? throw new DataRenewValidationException(nameof(accountId), "An account needs an id.") : accountId;
        DisplayName = displayName ?? string.Empty;
    }

    /// <summary>The carrier.</summary>
    public CarrierId Carrier { get; }

    /// <summary>The carrier's account number or name.</summary>
    public string AccountId { get; }

    /// <summary>The name to show.</summary>
    public string DisplayName { get; }

    /// <summary>The account number masked to its last four characters, for logs.</summary>
    public string MaskedAccountId => Mask(AccountId);

    internal static string Mask(string accountId) =>
        accountId.Length <= 4 ? new string('*', accountId.Length) : new string('*', accountId.Length - 4) + accountId[^4..];

    /// <summary>Shows the display name and the masked account number.</summary>
    public override string ToString() => $"{DisplayName} ({MaskedAccountId}) at {Carrier}";
}

/// <summary>
/// A mobile line, identified by what its carrier addresses it by (<see cref="Id"/>). The ICCID, the phone number, the
/// SIM kind, the status and the plan are facts the carrier may or may not report: an eSIM or a virtual number may have
/// no ICCID in the carrier's API at all, and a listing may not carry the number.
/// </summary>
public sealed record Line
{
    /// <summary>Creates a line.</summary>
    /// <param name="id">The carrier's id for the line.</param>
    /// <param name="simKind">Physical SIM or eSIM.</param>
    /// <param name="status">The state of the line.</param>
    /// <param name="currentPlan">The plan it has now; <see langword="default"/> when the carrier did not say.</param>
    public Line(LineId id, SimKind simKind, LineStatus status, PlanCode currentPlan)
    {
        Id = id.Value.Length == 0 ? throw new DataRenewValidationException(nameof(id), "A line needs the carrier's id for it.") : id;
        SimKind = simKind;
        Status = status;
        CurrentPlan = currentPlan;
    }

    /// <summary>What the carrier addresses the line by; the SDK keys lines on it.</summary>
    public LineId Id { get; }

    /// <summary>The SIM's ICCID, when the carrier reports one (as reported: see <see cref="Iccid.HasValidCheckDigit"/>).</summary>
    public Iccid? Iccid { get; init; }

    /// <summary>The phone number, when the carrier reports one.</summary>
    public PhoneNumber? PhoneNumber { get; init; }

    /// <summary>Physical SIM or eSIM.</summary>
    public SimKind SimKind { get; }

    /// <summary>The state of the line.</summary>
    public LineStatus Status { get; }

    /// <summary>The plan the line has now; <see langword="default"/> (empty) when the carrier did not say.</summary>
    public PlanCode CurrentPlan { get; }

    /// <summary>The line with its id and number masked, for logs.</summary>
    public override string ToString() =>
        $"{(SimKind == SimKind.ESim ? "eSIM" : "SIM")} line {Id.ToMaskedString()} ({PhoneNumber?.ToMaskedString() ?? "no number"}), {Status}, plan {(CurrentPlan.Value.Length > 0 ? CurrentPlan.Value : "unknown")}";
}

/// <summary>
/// A line's data usage in its current cycle, as of a moment: carriers serve figures that can be
/// minutes or hours old, so <see cref="AsOf"/> is always shown with them.
/// </summary>
public sealed record UsageSnapshot
{
    /// <summary>Creates a snapshot; <paramref name="remaining"/> is computed as allowance less used when the carrier does not send it.</summary>
    public UsageSnapshot(DataAmount used, DataAmount allowance, DateTimeOffset cycleStart, DateTimeOffset cycleEnd, DateTimeOffset asOf, DateTimeOffset? nextChargeDate = null, DataAmount? remaining = null)
    {
        if (cycleEnd <= cycleStart)
        {
            throw new DataRenewValidationException(nameof(cycleEnd), "A usage cycle must end after it starts.");
        }

        Used = used;
        Allowance = allowance;
        Remaining = remaining ?? allowance - used;
        CycleStart = cycleStart;
        CycleEnd = cycleEnd;
        AsOf = asOf;
        NextChargeDate = nextChargeDate;
    }

    /// <summary>Data used since the cycle began.</summary>
    public DataAmount Used { get; }

    /// <summary>The cycle's allowance, bonus included.</summary>
    public DataAmount Allowance { get; }

    /// <summary>Data left.</summary>
    public DataAmount Remaining { get; }

    /// <summary>When the cycle began.</summary>
    public DateTimeOffset CycleStart { get; }

    /// <summary>When the cycle ends (the plan expires or renews).</summary>
    public DateTimeOffset CycleEnd { get; }

    /// <summary>When the next charge is due, for plans that renew by themselves.</summary>
    public DateTimeOffset? NextChargeDate { get; }

    /// <summary>When the carrier measured these figures.</summary>
    public DateTimeOffset AsOf { get; }

    /// <summary>The share of the allowance used, 0 to 1; 0 for unlimited plans.</summary>
    public double FractionUsed => Allowance.IsUnlimited || Allowance.Bytes == 0 ? 0 : Math.Min(1.0, (double)Used.Bytes / Allowance.Bytes);
}

/// <summary>What a person looks at before renewing: the line, its plan and its usage.</summary>
/// <param name="Line">The line.</param>
/// <param name="CurrentPlan">The plan the line has, when the carrier's catalog still lists it.</param>
/// <param name="Usage">The usage in the current cycle.</param>
public sealed record LineOverview(Line Line, Plan? CurrentPlan, UsageSnapshot Usage);
