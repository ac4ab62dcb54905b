namespace DataRenew.Sdk;

/// <summary>A plan a carrier sells: an allowance, a price and how long it lasts.</summary>
public sealed record Plan
{
    /// <summary>Creates a plan.</summary>
    /// <exception cref="DataRenewValidationException">The name is empty, the price is negative, or the validity is not positive.</exception>
    public Plan(PlanCode code, string name, DataAmount data, Money price, int validityDays)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new DataRenewValidationException(nameof(name), "A plan needs a name.");
        }

        if (price.Amount < 0 || price.Currency.Length == 0)
        {
            throw new DataRenewValidationException(nameof(price), "A plan's price must be zero or more, in a currency.");
        }

        if (validityDays is <= 0 or > 3660)
        {
            throw new DataRenewValidationException(nameof(validityDays), "A plan lasts from 1 to 3660 days.");
        }

        Code = code.Value.Length == 0 ? throw new DataRenewValidationException(nameof(code), "A plan needs a code.") : code;
        Name = name;
        Data = data;
        Price = price;
        ValidityDays = validityDays;
    }

    /// <summary>The carrier's code for the plan.</summary>
    public PlanCode Code { get; }

    /// <summary>The name to show, such as <c>10 GB · 30 days</c>.</summary>
    public string Name { get; }

    /// <summary>The data allowance.</summary>
    public DataAmount Data { get; }

    /// <summary>The regular price, before promotions.</summary>
    public Money Price { get; }

    /// <summary>How many days the plan lasts once applied.</summary>
    public int ValidityDays { get; }
}

/// <summary>What a promotion does.</summary>
public enum PromotionKind
{
    /// <summary>A percentage off the price ("25 % off this month").</summary>
    PercentOff,

    /// <summary>A fixed amount off the price ("$5 off").</summary>
    AmountOff,

    /// <summary>Extra data at the same price ("buy 10 GB, get 5 GB more").</summary>
    BonusData,
}

/// <summary>
/// A carrier promotion. It applies to the plans it names (all plans when it names none) while it is
/// valid. When several price promotions apply, only the one that saves most is taken; bonus data adds up.
/// </summary>
public sealed record Promotion
{
    private Promotion(string id, string name, PromotionKind kind, IReadOnlyList<PlanCode>? appliesTo, DateTimeOffset? validFrom, DateTimeOffset? validUntil)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new DataRenewValidationException(nameof(id), "A promotion needs an id.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new DataRenewValidationException(nameof(name), "A promotion needs a name.");
        }

        if (validFrom is not null && validUntil is not null && validUntil <= validFrom)
        {
            throw new DataRenewValidationException(nameof(validUntil), "A promotion must end after it starts.");
        }

        Id = id;
        Name = name;
        Kind = kind;
        AppliesTo = appliesTo?.ToArray() ?? [];
        ValidFrom = validFrom;
        ValidUntil = validUntil;
    }

    /// <summary>The carrier's id for the promotion.</summary>
    public string Id { get; }

    /// <summary>The name to show.</summary>
    public string Name { get; }

    /// <summary>What the promotion does.</summary>
    public PromotionKind Kind { get; }

    /// <summary>For <see cref="PromotionKind.PercentOff"/>: the percentage, 0 to 100.</summary>
    public decimal Percent { get; private init; }

    /// <summary>For <see cref="PromotionKind.AmountOff"/>: the amount taken off.</summary>
    public Money AmountOff { get; private init; }

    /// <summary>For <see cref="PromotionKind.BonusData"/>: the extra data.</summary>
    public DataAmount BonusData { get; private init; }

    /// <summary>The plans it applies to; empty means every plan.</summary>
    public IReadOnlyList<PlanCode> AppliesTo { get; }

    /// <summary>When it starts, if it has a start.</summary>
    public DateTimeOffset? ValidFrom { get; }

    /// <summary>When it ends, if it has an end ("limited time").</summary>
    public DateTimeOffset? ValidUntil { get; }

    /// <summary>A percentage off.</summary>
    public static Promotion PercentOff(string id, string name, decimal percent, IReadOnlyList<PlanCode>? appliesTo = null, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
        => percent is <= 0 or > 100
            ? throw new DataRenewValidationException(nameof(percent), "A discount is more than 0 and at most 100 percent.")
            : new(id, name, PromotionKind.PercentOff, appliesTo, validFrom, validUntil) { Percent = percent };

    /// <summary>A fixed amount off.</summary>
    public static Promotion FixedAmountOff(string id, string name, Money amount, IReadOnlyList<PlanCode>? appliesTo = null, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
        => amount.Amount <= 0
            ? throw new DataRenewValidationException(nameof(amount), "An amount off must be more than zero.")
            : new(id, name, PromotionKind.AmountOff, appliesTo, validFrom, validUntil) { AmountOff = amount };

    /// <summary>Extra data at the same price.</summary>
    public static Promotion ExtraData(string id, string name, DataAmount bonus, IReadOnlyList<PlanCode>? appliesTo = null, DateTimeOffset? validFrom = null, DateTimeOffset? validUntil = null)
        => bonus == DataAmount.Zero
            ? throw new DataRenewValidationException(nameof(bonus), "Bonus data must be more than zero.")
            : new(id, name, PromotionKind.BonusData, appliesTo, validFrom, validUntil) { BonusData = bonus };

    /// <summary>Whether it applies to a plan at a moment.</summary>
    public bool AppliesAt(PlanCode plan, DateTimeOffset now)
        => (ValidFrom is null || now >= ValidFrom) && (ValidUntil is null || now < ValidUntil)
           && (AppliesTo.Count == 0 || AppliesTo.Contains(plan));

    /// <inheritdoc />
    public bool Equals(Promotion? other) => other is not null && Id == other.Id && Kind == other.Kind && Name == other.Name
        && Percent == other.Percent && AmountOff == other.AmountOff && BonusData == other.BonusData
        && ValidFrom == other.ValidFrom && ValidUntil == other.ValidUntil && AppliesTo.SequenceEqual(other.AppliesTo);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Kind, Percent, AmountOff, BonusData, ValidUntil);
}

/// <summary>A plan as it can be bought now: the price after promotions and the data with any bonus.</summary>
public sealed record RenewalOption
{
    /// <summary>Creates an option; see <see cref="For"/> to compute one from promotions.</summary>
    public RenewalOption(Plan plan, Money price, DataAmount data, IReadOnlyList<Promotion> appliedPromotions)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(appliedPromotions);
        Plan = plan;
        Price = price;
        Data = data;
        AppliedPromotions = appliedPromotions.ToArray();
    }

    /// <summary>The plan.</summary>
    public Plan Plan { get; }

    /// <summary>What it costs now, after promotions, rounded to cents.</summary>
    public Money Price { get; }

    /// <summary>The data it gives, bonus included.</summary>
    public DataAmount Data { get; }

    /// <summary>The promotions taken into account.</summary>
    public IReadOnlyList<Promotion> AppliedPromotions { get; }

    /// <summary>How much the promotions save against the regular price (rounded to cents), never below zero.</summary>
    public Money Savings => Plan.Price.RoundToMinorUnit() > Price ? Plan.Price.RoundToMinorUnit() - Price : Money.Zero(Price.Currency);

    /// <summary>
    /// Applies the promotions valid for a plan at a moment: the one price promotion that saves most
    /// (discounts do not stack, and never go below zero), plus every bonus-data promotion.
    /// </summary>
    public static RenewalOption For(Plan plan, IEnumerable<Promotion> promotions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(promotions);
        var applied = new List<Promotion>();
        Promotion? bestDiscount = null;
        // Compare prices as they will be charged (rounded to cents): a saving that rounds away is no saving.
        var bestPrice = plan.Price.RoundToMinorUnit();
        var data = plan.Data;
        foreach (var promotion in promotions)
        {
            if (!promotion.AppliesAt(plan.Code, now))
            {
                continue;
            }

            switch (promotion.Kind)
            {
                case PromotionKind.BonusData:
                    data += promotion.BonusData;
                    applied.Add(promotion);
                    break;
                case PromotionKind.PercentOff or PromotionKind.AmountOff:
                    var price = DiscountedPrice(plan.Price, promotion)?.RoundToMinorUnit();
                    if (price is { } p && p < bestPrice)
                    {
                        bestPrice = p;
                        bestDiscount = promotion;
                    }

                    break;
            }
        }

        if (bestDiscount is not null)
        {
            applied.Insert(0, bestDiscount);
        }

        return new RenewalOption(plan, bestPrice, data, applied);
    }

    private static Money? DiscountedPrice(Money price, Promotion promotion)
    {
        if (promotion.Kind == PromotionKind.PercentOff)
        {
            return price.LessPercent(promotion.Percent);
        }

        // An amount off in another currency does not apply rather than throwing at a shopper.
        if (promotion.AmountOff.Currency != price.Currency)
        {
            return null;
        }

        var less = price - promotion.AmountOff;
        return less.Amount < 0 ? Money.Zero(price.Currency) : less;
    }

    /// <inheritdoc />
    public bool Equals(RenewalOption? other) => other is not null && Plan == other.Plan && Price == other.Price && Data == other.Data
        && AppliedPromotions.SequenceEqual(other.AppliedPromotions);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Plan, Price, Data);
}
