namespace DataRenew.Sdk.Tests.Adapters.TMobile;

/// <summary>What the stub does with the next top-up.</summary>
internal sealed record TopupScript
{
    public bool Fails { get; private init; }

    public string? PayerActionType { get; private init; }

    public string? Decline { get; private init; }

    public (int Status, string Code)? Refusal { get; private init; }

    public static TopupScript Complete() => new();

    public static TopupScript Fail() => new() { Fails = true };

    public static TopupScript PayerAction(string type) => new() { PayerActionType = type };

    public static TopupScript Declined(string declineCode) => new() { Decline = declineCode };

    public static TopupScript Refuse(int status, string code) => new() { Refusal = (status, code) };
}
