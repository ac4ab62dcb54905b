namespace DataRenew.Sdk.Testing;

/// <summary>An account seeded into a <see cref="FakeCarrier"/>.</summary>
public sealed class FakeAccount
{
    private readonly FakeCarrier _carrier;

    internal FakeAccount(FakeCarrier carrier, string username, string password, string accountId, string displayName)
    {
        _carrier = carrier;
        Username = username;
        Password = password;
        AccountId = accountId;
        DisplayName = displayName;
    }

    /// <summary>The username to sign in with.</summary>
    public string Username { get; }

    /// <summary>The account number.</summary>
    public string AccountId { get; }

    /// <summary>The display name.</summary>
    public string DisplayName { get; }

    internal string Password { get; }

    internal int FailedSignIns { get; set; }

    internal List<FakeLine> Lines { get; } = [];

    /// <summary>Adds a SIM addressed by its ICCID, whose current cycle started some days ago.</summary>
    /// <param name="iccid">The SIM; the line's id is its digits.</param>
    /// <param name="phoneNumber">The number; eSIM lines sign in with it.</param>
    /// <param name="simKind">Physical or eSIM.</param>
    /// <param name="plan">The plan it has (its allowance is the cycle's).</param>
    /// <param name="used">Data used so far in the cycle.</param>
    /// <param name="cycleStartedDaysAgo">How many days ago the cycle began.</param>
    /// <param name="status">The line's state.</param>
    public FakeAccount AddLine(Iccid iccid, PhoneNumber? phoneNumber, SimKind simKind, Plan plan, DataAmount used = default, int cycleStartedDaysAgo = 10, LineStatus status = LineStatus.Active) =>
        AddLine(LineId.Of(iccid), iccid, phoneNumber, simKind, plan, used, cycleStartedDaysAgo, status);

    /// <summary>
    /// Adds a line addressed by any id of the carrier's (a number, an opaque id), with or without an ICCID, whose current
    /// cycle started some days ago.
    /// </summary>
    /// <param name="id">What the carrier addresses the line by.</param>
    /// <param name="iccid">The SIM's ICCID, when the carrier reports one.</param>
    /// <param name="phoneNumber">The number; eSIM lines sign in with it.</param>
    /// <param name="simKind">Physical or eSIM.</param>
    /// <param name="plan">The plan it has (its allowance is the cycle's).</param>
    /// <param name="used">Data used so far in the cycle.</param>
    /// <param name="cycleStartedDaysAgo">How many days ago the cycle began.</param>
    /// <param name="status">The line's state.</param>
    public FakeAccount AddLine(LineId id, Iccid? iccid, PhoneNumber? phoneNumber, SimKind simKind, Plan plan, DataAmount used = default, int cycleStartedDaysAgo = 10, LineStatus status = LineStatus.Active)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (id.Value.Length == 0)
        {
            throw new ArgumentException("A line needs an id.", nameof(id));
        }

        lock (_carrier.Gate)
        {
            var start = _carrier.Time.GetUtcNow().AddDays(-cycleStartedDaysAgo);
            Lines.Add(new FakeLine(id, iccid, phoneNumber, simKind, status, plan.Code, plan.Data, used, start, start.AddDays(plan.ValidityDays)));
        }

        _carrier.AddPlan(plan);
        return this;
    }
}

internal sealed class FakeLine(LineId id, Iccid? iccid, PhoneNumber? number, SimKind simKind, LineStatus status, PlanCode plan, DataAmount allowance, DataAmount used, DateTimeOffset cycleStart, DateTimeOffset cycleEnd)
{
    public LineId Id { get; } = id;

    public Iccid? Iccid { get; } = iccid;

    public PhoneNumber? Number { get; } = number;

    public SimKind SimKind { get; } = simKind;

    public LineStatus Status { get; set; } = status;

    public PlanCode Plan { get; private set; } = plan;

    public DataAmount Allowance { get; private set; } = allowance;

    public DataAmount Used { get; set; } = used;

    public DateTimeOffset CycleStart { get; private set; } = cycleStart;

    public DateTimeOffset CycleEnd { get; private set; } = cycleEnd;

    public void Apply(Sdk.Plan plan, DataAmount bonus, DateTimeOffset now)
    {
        Plan = plan.Code;
        Allowance = plan.Data + bonus;
        Used = DataAmount.Zero;
        CycleStart = now;
        CycleEnd = now.AddDays(plan.ValidityDays);
    }

    public Line ToLine() => new(Id, SimKind, Status, Plan) { Iccid = Iccid, PhoneNumber = Number };
}
