using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Carriers.Verizon;

/// <summary>
/// Settings of the Verizon-style adapter (ThingSpace-like): the API base address, the app's OAuth client
/// credentials and the account to work on. Bound from configuration (for example <c>DataRenew:Verizon</c>) or set in code.
/// The m2m username and password are not settings: they come with each sign-in.
/// </summary>
public sealed class VerizonOptions : CarrierHttpOptions
{
    /// <summary>The app key (OAuth client id) for <c>ts/v1/oauth2/token</c>.</summary>
    public string AppKey { get; set; } = string.Empty;

    /// <summary>The app secret (OAuth client secret). A secret: never shown by <see cref="ToString"/> or logged.</summary>
    public string AppSecret { get; set; } = string.Empty;

    /// <summary>The account name the adapter works on (the <c>{accountName}</c> of the paths).</summary>
    public string AccountName { get; set; } = string.Empty;

    /// <summary>Whom to contact about an order, shown on receipts. Default "Verizon ThingSpace support".</summary>
    public string SupportContact { get; set; } = "Verizon ThingSpace support";

    /// <summary>
    /// The username the <c>CarrierService</c> callback listener was registered with; every callback must carry it.
    /// Callbacks are refused (not configured) until both it and <see cref="CallbackPassword"/> are set.
    /// </summary>
    public string? CallbackUsername { get; set; }

    /// <summary>The password the callback listener was registered with. A secret: never shown by <see cref="ToString"/> or logged.</summary>
    public string? CallbackPassword { get; set; }

    /// <summary>Devices asked for per page of the device listing (1 to 1000). Default 100.</summary>
    public int DevicesPerPage { get; set; } = 100;

    /// <inheritdoc />
    public override IEnumerable<string> Validate(TimeSpan leaseDuration)
    {
        foreach (var problem in base.Validate(leaseDuration))
        {
            yield return problem;
        }

        if (string.IsNullOrWhiteSpace(AppKey))
        {
            yield return "AppKey must be set.";
        }

        if (string.IsNullOrWhiteSpace(AppSecret))
        {
            yield return "AppSecret must be set.";
        }

        if (string.IsNullOrWhiteSpace(AccountName))
        {
            yield return "AccountName must be set.";
        }

        if (string.IsNullOrEmpty(CallbackUsername) != string.IsNullOrEmpty(CallbackPassword))
        {
            yield return "CallbackUsername and CallbackPassword must be set together (or neither, without callbacks).";
        }

        if (DevicesPerPage is < 1 or > 1000)
        {
            yield return "DevicesPerPage must be between 1 and 1000.";
        }
    }

    /// <summary>The base address and the account; never the app secret.</summary>
    public override string ToString() => $"Verizon-style at {BaseAddress} for account {AccountName} (app secret and callback password hidden)";
}
